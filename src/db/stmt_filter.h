/*
 * stmt_filter: the two forms of an optional filter in the list statements
 * (stmt_org.def, stmt_market.def). A filter's first argument is its value or
 * NULL, the rest feed its condition:
 *   FILTER_ANY: NULL means no filter. Written as "NULL OR condition", which
 *               hides the column's index from the planner: the plan walks the
 *               primary key in order and tests each row, so a filter matching
 *               few rows reads the whole table to fill a page.
 *   FILTER_BY:  the condition bare (the value is present), so the planner can
 *               start from that column's index.
 * Both forms take the same arguments: a list statement comes in variants, one
 * per filter worth starting from, and the caller picks by the filters it has.
 */
#ifndef TB_DB_STMT_FILTER_H
#define TB_DB_STMT_FILTER_H

#define FILTER_ANY(type, cond) " AND (CAST(? AS " type ") IS NULL OR " cond ")"
#define FILTER_BY(type, cond)  " AND CAST(? AS " type ") IS NOT NULL AND " cond

#endif

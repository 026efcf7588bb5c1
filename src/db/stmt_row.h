/*
 * stmt_row: the columns of a statement's rows, declared once beside it in
 * the stmt_*.def tables. A row family is an X-macro listing its columns in
 * order, the first with C0 and the others with C (SQL has no trailing comma):
 *
 *   #define REGION_ROW(C0, C) C0(REGION_CODE, "code") C(REGION_NAME, "name")
 *   ROW(REGION)
 *   STMT_ROWS(REGION_GET, REGION, "SELECT " COLS(REGION) " FROM regions WHERE code = ?")
 *
 * ROW(REGION) declares (in db/stmt.h) enum REGION_cols { COL_REGION_CODE,
 * COL_REGION_NAME, REGION__NCOLS }; COLS(REGION) is the select list text
 * "code, name". A statement declared with STMT_ROWS / STMT2_ROWS must return
 * exactly REGION__NCOLS columns, and one declared with STMT / STMT2 none:
 * each store checks it when it prepares the statement (ERR_INTERNAL naming
 * the statement otherwise), so the enum and the SQL cannot drift apart.
 * Callers read columns by their names: db_col_text(r, COL_REGION_NAME).
 */
#ifndef TB_DB_STMT_ROW_H
#define TB_DB_STMT_ROW_H

#define ROW_SQL0(id, sql) sql
#define ROW_SQL(id, sql)  ", " sql
/* The select list of a row family, as one string literal. */
#define COLS(fam) fam##_ROW(ROW_SQL0, ROW_SQL)

#endif

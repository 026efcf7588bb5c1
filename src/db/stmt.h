/*
 * stmt: the names of every SQL statement of the system and the columns of
 * their rows. The statements themselves are rows of the stmt_*.def tables
 * (X-macros):
 *   STMT(ID, "portable SQL")                 the same text on both stores
 *   STMT2(ID, "SQLite SQL", "PostgreSQL SQL") where the dialects differ
 *   STMT_ROWS(ID, FAM, "SQL"), STMT2_ROWS(ID, FAM, "SQLite", "PostgreSQL")
 *                                            the same, returning rows of the
 *                                            row family FAM (db/stmt_row.h)
 *   ROW(FAM)                                 declares FAM's column enum
 * Parameters are written `?`; the PostgreSQL backend numbers them.
 */
#ifndef TB_DB_STMT_H
#define TB_DB_STMT_H

#include "db/stmt_row.h"

/* The column enums of the row families: enum FAM_cols { COL_..., FAM__NCOLS }. */
#define ROW_ENUM(id, sql) COL_##id,
#define ROW(fam)          enum fam##_cols{fam##_ROW(ROW_ENUM, ROW_ENUM) fam##__NCOLS};
#define STMT(id, sql)
#define STMT2(id, lite, pg)
#define STMT_ROWS(id, fam, sql)
#define STMT2_ROWS(id, fam, lite, pg)
#include "db/stmt_modules.def"
#undef ROW
#undef STMT
#undef STMT2
#undef STMT_ROWS
#undef STMT2_ROWS

enum stmt {
#define ROW(fam)
#define STMT(id, sql)                 STMT_##id,
#define STMT2(id, lite, pg)           STMT_##id,
#define STMT_ROWS(id, fam, sql)       STMT_##id,
#define STMT2_ROWS(id, fam, lite, pg) STMT_##id,
#include "db/stmt_modules.def"
#undef ROW
#undef STMT
#undef STMT2
#undef STMT_ROWS
#undef STMT2_ROWS
	STMT__MAX
};

#endif

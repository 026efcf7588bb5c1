/*
 * stmt: the names of every SQL statement of the system. The statements
 * themselves are rows of the stmt_*.def tables (X-macros):
 *   STMT(ID, "portable SQL")                 the same text on both stores
 *   STMT2(ID, "SQLite SQL", "PostgreSQL SQL") where the dialects differ
 * Parameters are written `?`; the PostgreSQL backend numbers them.
 */
#ifndef TB_DB_STMT_H
#define TB_DB_STMT_H

enum stmt {
#define STMT(id, sql)       STMT_##id,
#define STMT2(id, lite, pg) STMT_##id,
#include "db/stmt_modules.def"
#undef STMT
#undef STMT2
	STMT__MAX
};

#endif

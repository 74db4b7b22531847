#ifndef OTKLIK_CSPATIALITE_SHIM_H
#define OTKLIK_CSPATIALITE_SHIM_H
// spatialite.h does not include sqlite3.h itself.
#include <sqlite3.h>
#include <spatialite.h>

// sqlite3_db_config is variadic, which Swift cannot call.
static inline int otklik_enable_load_extension(sqlite3 *db, int on) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, on, (int *)0);
}
#endif

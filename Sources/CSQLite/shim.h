#ifndef AUDIT_CSQLITE_SHIM_H
#define AUDIT_CSQLITE_SHIM_H
#include <sqlite3.h>

/// sqlite3_config is variadic, which Swift cannot call. Memory statistics cost a global mutex on
/// every allocation; the store never reads them. Must run before the first connection opens.
static inline int audit_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif

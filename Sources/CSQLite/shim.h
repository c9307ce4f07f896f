#ifndef AUDIT_CSQLITE_SHIM_H
#define AUDIT_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif

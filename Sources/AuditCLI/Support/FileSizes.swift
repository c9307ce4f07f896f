#if canImport(Glibc)
import Glibc
#endif

/// Bytes in the file at `path`, 0 when it does not exist.
func fileSize(_ path: String) -> Int64 {
    var st = stat()
    return stat(path, &st) == 0 ? Int64(st.st_size) : 0
}

/// A store's bytes on disk: the database file and its write-ahead log.
func storeSize(_ path: String) -> Int64 { fileSize(path) + fileSize(path + "-wal") }

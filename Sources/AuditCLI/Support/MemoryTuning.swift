#if canImport(Glibc)
import Glibc
#endif

/// Events are decoded on one thread and freed on the writer's. With glibc's defaults every burst grows
/// and trims the per-thread heaps again (tens of thousands of mprotect calls per 100k events); keeping
/// freed memory for reuse costs address space, not resident memory, and removes that churn.
enum MemoryTuning {
    // glibc's mallopt parameters are macros Swift does not import: values from <malloc.h>.
    private static let trimThreshold: Int32 = -1
    private static let topPad: Int32 = -2

    static func apply() {
        #if canImport(Glibc)
        _ = glibcMallopt(trimThreshold, 64 << 20)
        _ = glibcMallopt(topPad, 16 << 20)
        #endif
    }
}

#if canImport(Glibc)
// <malloc.h> is not part of Swift's Glibc module; the symbol is plain C.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

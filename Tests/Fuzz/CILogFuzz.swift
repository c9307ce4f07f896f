@testable import Deployments

/// The input is a CI job log, read as every format the importer knows.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCILog(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for format in CILogImporter.Format.allCases {
        guard let records = try? CILogImporter.import(format: format, text: text) else { continue }
        for record in records { precondition(record.finishedAt.map { $0 >= record.startedAt } ?? true, "a window ends before it starts") }
    }
    return 0
}

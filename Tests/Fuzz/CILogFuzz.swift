@testable import Deployments

/// The first byte picks the format (github-actions, gitlab, jenkins, plain); the rest is a CI job log.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCILog(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let formats = CILogImporter.Format.allCases
    let format = formats[Int(data[0]) % formats.count]
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    // A job log is one deployment whose steps lie inside its window.
    guard let record = try? CILogImporter.import(format: format, text: text) else { return 0 }
    require(record.finishedAt.map { $0 >= record.startedAt } ?? true, "a window ends before it starts: \(record)")
    for step in record.steps ?? [] {
        require(step.finishedAt.map { $0 >= step.startedAt } ?? true, "a step ends before it starts: \(step)")
    }
    return 0
}

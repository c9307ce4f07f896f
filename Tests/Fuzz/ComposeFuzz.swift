@testable import Drift

/// The input is a compose file; a form feed splits it into a file and an override merged onto it.
/// It is also read as an env file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCompose(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let files = text.split(separator: "\u{0C}", maxSplits: 1, omittingEmptySubsequences: false)
    let sources = files.enumerated().map { ComposeLoader.Source(path: "fuzz-\($0.offset).yml", text: String($0.element)) }
    // A directory that does not exist, so `env_file` entries relative to the project are never read.
    _ = try? ComposeLoader.load(sources: sources, projectDirectory: "/nonexistent-fuzz-project", projectName: nil,
                                variables: ["HOME": "/nonexistent-fuzz-home", "TAG": "1.25", "EMPTY": ""])
    _ = try? EnvFile.parse(text, file: "fuzz.env", environment: ["HOME": "/root"])
    return 0
}

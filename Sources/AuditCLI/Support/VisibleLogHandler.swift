import AuditSupport
import Logging

/// A log handler that escapes control characters in every message and metadata value before the
/// wrapped handler writes them. Metadata carries what senders chose (deployment ids, delivery ids,
/// container names): an id holding `\n` once forged a whole log line.
struct VisibleLogHandler: LogHandler {
    var wrapped: any LogHandler

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue.mapValues(Self.escaped) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue.map(Self.escaped) }
    }

    func log(event: LogEvent) {
        var safe = event
        safe.message = "\(VisibleText.escaped(event.message.description))"
        safe.metadata = event.metadata.map { $0.mapValues(Self.escaped) }
        wrapped.log(event: safe)
    }

    private static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): return .string(VisibleText.escaped(text))
        case .stringConvertible(let convertible): return .string(VisibleText.escaped(convertible.description))
        case .array(let values): return .array(values.map(escaped))
        case .dictionary(let values): return .dictionary(values.mapValues(escaped))
        }
    }
}

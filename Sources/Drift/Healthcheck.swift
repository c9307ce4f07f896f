/// A healthcheck as in `Config.Healthcheck`; durations in nanoseconds.
///
/// Optional fields are those the manifest leaves to the image, so they are not compared.
public struct Healthcheck: Hashable, Sendable {
    /// `["CMD", ...]`, `["CMD-SHELL", "..."]`, or `["NONE"]` when disabled.
    public var test: [String]?
    public var interval: Int64?
    public var timeout: Int64?
    public var startPeriod: Int64?
    public var retries: Int?

    public init(test: [String]?, interval: Int64? = nil, timeout: Int64? = nil,
                startPeriod: Int64? = nil, retries: Int? = nil) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.startPeriod = startPeriod
        self.retries = retries
    }

    /// True when nothing is set, which Docker treats like no healthcheck at all.
    public var isEmpty: Bool {
        (test ?? []).isEmpty && (interval ?? 0) == 0 && (timeout ?? 0) == 0
            && (startPeriod ?? 0) == 0 && (retries ?? 0) == 0
    }
}

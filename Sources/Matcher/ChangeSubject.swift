/// What a change touched, in the terms deployment records use.
struct ChangeSubject: Sendable {
    var project: String?
    var service: String?
    /// Every name the container had during the change (a recreate's temporary and final names).
    var names: Set<String>
    var isImage: Bool
}

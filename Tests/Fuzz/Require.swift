/// Compiled into every harness. `precondition` keeps no message in -O builds, and a finding should
/// say what broke.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

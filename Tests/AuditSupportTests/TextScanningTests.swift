import Testing
@testable import AuditSupport

@Suite struct TextScanningTests {
    @Test(arguments: [
        ("  true ", "true"), ("\t/bin/sh -c x\t ", "/bin/sh -c x"), ("inner  spaces kept", "inner  spaces kept"),
        ("   ", ""), ("", ""), (" é ", "é"), (" 🚀x🚀 ", "🚀x🚀"), ("\n x \n", "\n x \n"),
    ])
    func trimsSpacesAndTabsOnly(text: String, trimmed: String) {
        #expect(text.trimmingSpaces() == trimmed)
        #expect(text[...].trimmingSpaces() == trimmed)
        #expect(String(text.trimmedOfSpaces()) == trimmed)
    }
}

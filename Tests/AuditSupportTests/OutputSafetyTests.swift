import AuditSupport
import Testing

/// What reaches an operator's terminal, a report or a log from values the outside world chose.
@Suite struct OutputSafetyTests {
    @Test func controlCharactersBecomeVisibleEscapes() {
        #expect(VisibleText.escaped("echo hidden\u{1B}[2K\u{1B}[1Ainnocent") == #"echo hidden\u001b[2K\u001b[1Ainnocent"#)
        #expect(VisibleText.escaped("a\nb\rc\td\u{07}e\u{7F}f\u{9B}g") == #"a\nb\rc\td\u0007e\u007ff\u009bg"#)
        #expect(VisibleText.escaped("line\nnext\tcell\u{1B}", keepingLineBreaks: true) == "line\nnext\tcell\\u001b")
        #expect(VisibleText.escaped("plain ünïcode ✓") == "plain ünïcode ✓")
    }

    @Test func commonSecretFormsAreMasked() {
        let cases: [(String, String)] = [
            ("mysql -uroot -phunter2 shop", "mysql -uroot -p*** shop"),
            ("sh -c mysqldump -phunter2 db", "sh -c mysqldump -p*** db"),
            ("curl -H 'Authorization: Bearer eyJhbGciOi' https://api", "curl -H 'Authorization: Bearer ***' https://api"),
            ("git clone https://deploy:s3cr3t@git.example.com/shop.git", "git clone https://deploy:***@git.example.com/shop.git"),
            ("env PASS=hunter2 PASSWD=x DB_PASS=y ./run", "env PASS=*** PASSWD=*** DB_PASS=*** ./run"),
            ("env AWS_SECRET_ACCESS_KEY=abc STRIPE_API_KEY=sk_live ./run", "env AWS_SECRET_ACCESS_KEY=*** STRIPE_API_KEY=*** ./run"),
            ("app --password hunter2 --token=t0k", "app --password *** --token=***"),
            ("sh -c 'export API_KEY=abc; ./run'", "sh -c 'export API_KEY=***; ./run'"),
            ("wget --header='Authorization: Bearer s3cr3t' https://x", "wget --header='Authorization: Bearer ***' https://x"),
            ("env MYSQL_PASSWORD='correct horse battery' ./run", "env MYSQL_PASSWORD='***' ./run"),
            ("app --password 'a b' --verbose", "app --password '***' --verbose"),
        ]
        for (command, masked) in cases {
            #expect(SecretMask.command(command) == masked, "\(command)")
        }
        // Not secrets: a program's -p flag that is not mysql's, a URL without a password, BYPASS.
        #expect(SecretMask.command("ps -p 1") == "ps -p 1")
        #expect(SecretMask.command("ssh -p2222 host") == "ssh -p2222 host")
        #expect(SecretMask.command("curl https://user@host/x") == "curl https://user@host/x")
        #expect(SecretMask.command("env BYPASS_CACHE=1 ./run") == "env BYPASS_CACHE=1 ./run")
    }
}

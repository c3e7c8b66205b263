import Testing
import PulkAccess
import PulkStore

/// Which URLs the server calls on a user's behalf (webhooks): https and public addresses only by default.
@Suite("Outbound URL policy")
struct OutboundURLPolicyTests {
    static let addresses: [(String, Bool)] = [
        ("8.8.8.8", true), ("1.1.1.1", true), ("151.101.1.69", true),
        ("127.0.0.1", false), ("127.8.9.10", false), ("0.0.0.0", false), ("10.1.2.3", false), ("172.16.0.1", false), ("172.31.255.255", false),
        ("172.32.0.1", true), ("192.168.1.1", false), ("169.254.169.254", false), ("100.64.0.1", false), ("100.128.0.1", true),
        ("198.18.0.1", false), ("192.0.2.1", false), ("224.0.0.1", false), ("255.255.255.255", false),
        ("::1", false), ("::", false), ("fe80::1", false), ("fd00::1", false), ("fc12::1", false), ("ff02::1", false), ("2001:db8::1", false),
        ("2606:4700:4700::1111", true), ("::ffff:127.0.0.1", false), ("::ffff:8.8.8.8", true), ("64:ff9b::a00:1", false),
        ("2002:a00:1::", false), ("2002:808:808::", true), ("not-an-address", false),
    ]

    @Test(arguments: addresses)
    func publicAddresses(address: String, isPublic: Bool) {
        #expect(OutboundURLPolicy.isPublic(address) == isPublic, "\(address)")
    }

    @Test("URL forms: https only unless http is allowed; a host, no credentials, a port in range")
    func forms() throws {
        let strict = OutboundURLPolicy()
        let ok = try strict.checkForm("https://hooks.example.com:8443/a/b?x=1")
        #expect(ok.secure && ok.host == "hooks.example.com" && ok.port == 8443 && ok.target == "/a/b?x=1")
        #expect(try strict.checkForm("https://example.com").target == "/")
        for bad in ["http://example.com/", "ftp://example.com/", "file:///etc/passwd", "https://", "", "  ", "https://user:pw@example.com/", "example.com"] {
            #expect(throws: StoreError.self, "\(bad)") { _ = try strict.checkForm(bad) }
        }
        #expect(try OutboundURLPolicy(allowHTTP: true).checkForm("http://example.com/x").port == 80)
    }

    @Test("Loopback and private targets are refused unless allowed, by name or by address")
    func privateTargets() async throws {
        let strict = OutboundURLPolicy(allowHTTP: true)
        for url in ["https://127.0.0.1/", "https://localhost:9000/", "http://[::1]:8080/", "https://169.254.169.254/latest/meta-data", "https://10.0.0.1/"] {
            #expect(throws: StoreError.self, "\(url)") { _ = try strict.check(url) }
        }
        // Saving: with private targets allowed only the form is checked (a name that does not
        // resolve yet is accepted, as MLflow accepts it); without, the name must resolve to public addresses.
        try await OutboundURLPolicy(allowPrivate: true).checkedForSaving("https://no-such-host.invalid/hook")
        await #expect(throws: StoreError.self) { try await OutboundURLPolicy().checkedForSaving("https://no-such-host.invalid/hook") }
        await #expect(throws: StoreError.self) { try await OutboundURLPolicy(allowPrivate: true).checkedForSaving("ftp://x/") }
        let open = OutboundURLPolicy(allowHTTP: true, allowPrivate: true)
        let t = try open.check("http://127.0.0.1:9000/hook")
        #expect(t.addresses == ["127.0.0.1"] && t.port == 9000 && !t.secure)
    }
}

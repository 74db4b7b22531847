@testable import OtklikHTTP
import OtklikCore
import OtklikServices
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-4 example vectors (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf").
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func matchesFIPSVectors(message: String, digest: String) {
        #expect(SHA256.hex(message) == digest)
    }

    @Test func millionAsMatchesFIPSVector() {
        #expect(SHA256.hex(String(repeating: "a", count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Given in pieces of every size, across block boundaries, the digest is the one of the whole.
    @Test func piecesGiveTheDigestOfTheWhole() {
        let text = Array(String(repeating: "Сосновка, улица Ленина 5\t", count: 40).utf8)
        for piece in [1, 7, 63, 64, 65, 200] {
            var s = SHA256()
            for start in stride(from: 0, to: text.count, by: piece) { s.update(text[start..<min(text.count, start + piece)]) }
            #expect(SHA256.hex(s.finalize()) == SHA256.hex(SHA256.digest(text)), "pieces of \(piece)")
        }
    }

    @Test func keysAreLookedUpByDigestAndRolesParsed() throws {
        let keys = try APIKeys.parseEnvironment("k1:operator:hotline,k2:admin")
        #expect(keys.principal(forKey: "k1") == APIPrincipal(name: "hotline", role: .operator_))
        #expect(keys.principal(forKey: "k2")?.role == .admin)
        #expect(keys.principal(forKey: "k3") == nil)
        #expect(throws: APIKeysError.self) { try APIKeys.parseEnvironment("k1:superuser") }
    }
}

import Foundation
import OrchConfig
import OrchLimits
import Testing

/// The numbers README.md and docs/ state for orch's limits are the ones the code
/// enforces: each row names a phrase of the docs, and every number that follows
/// it must be the constant in `Limits`.
@Suite struct LimitsDocumentationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

    struct Statement: Sendable, CustomStringConvertible {
        var file: String
        /// The words just before the number, whitespace collapsed.
        var phrase: String
        var value: Int
        var description: String { "\(file): '\(phrase) N'" }
    }

    static let statements: [Statement] = [
        Statement(file: "docs/orch-yaml.md", phrase: "| `replicas` | integer 0–", value: Limits.replicas),
        Statement(file: "README.md", phrase: "does not start the process; at most", value: Limits.replicas),
        Statement(file: "README.md", phrase: "lines over", value: Limits.outputLineBytes >> 10),
        Statement(file: "README.md", phrase: "orch stops reading the children's pipes after", value: Limits.outputBufferBytes >> 20),
        Statement(file: "README.md", phrase: "Requests over", value: Limits.controlRequestBytes >> 20),
        Statement(file: "README.md", phrase: "get an error; at most", value: Limits.controlConnections),
        Statement(file: "README.md", phrase: "is dropped once", value: Limits.controlPendingBytes >> 20),
    ]

    /// The file with runs of whitespace (line breaks included) as one space.
    static func text(_ file: String) throws -> String {
        let raw = try String(contentsOfFile: repository + "/" + file, encoding: .utf8)
        return raw.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    @Test(arguments: statements)
    func docsStateTheLimitTheCodeEnforces(_ statement: Statement) throws {
        let text = try Self.text(statement.file)
        var numbers: [Int] = []
        var rest = text[...]
        while let range = rest.firstRange(of: statement.phrase) {
            let after = rest[range.upperBound...].drop { $0 == " " }
            let digits = after.prefix { $0.isNumber || $0 == "," }
            if let number = Int(digits.filter(\.isNumber)) { numbers.append(number) }
            rest = rest[range.upperBound...]
        }
        #expect(!numbers.isEmpty, "\(statement.file) no longer says '\(statement.phrase) N': update this table with the new wording")
        for number in numbers {
            #expect(number == statement.value, "\(statement.file) says '\(statement.phrase) \(number)', the code's limit is \(statement.value)")
        }
    }

    /// The user-visible messages quote the same limits.
    @Test func formationErrorQuotesTheLimit() {
        #expect(throws: (any Error).self) { try Formation.parse("web=\(Limits.replicas + 1)") }
        #expect((try? Formation.parse("web=\(Limits.replicas)")) == ["web": Limits.replicas])
    }
}

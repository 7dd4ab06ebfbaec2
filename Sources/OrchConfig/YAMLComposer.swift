import OrchSystem

/// A YAML node as orch reads it: scalars keep their text and style, every node its
/// mark (line and column) for messages. Aliases are resolved to the node their
/// anchor names (shared, not copied).
enum Node {
    typealias Mark = YAMLEvents.Mark

    struct Scalar {
        typealias Style = YAMLEvents.ScalarStyle
        var string: String
        var style: Style
        /// An explicit tag as written (`!!str`), nil for none.
        var tag: String?
        var mark: Mark
    }

    struct Sequence {
        var items: [Node]
        var mark: Mark
    }

    struct Pair {
        var key: Node
        var value: Node
        /// Line of the first pair of the same mapping whose key has the same text:
        /// this pair is a duplicate, reported where it is and left out.
        var duplicateOf: Int?
    }

    struct Mapping {
        var pairs: [Pair]
        var mark: Mark
    }

    case scalar(Scalar)
    case sequence(Sequence)
    case mapping(Mapping)

    var mark: Mark {
        switch self {
        case .scalar(let scalar): return scalar.mark
        case .sequence(let sequence): return sequence.mark
        case .mapping(let mapping): return mapping.mark
        }
    }

    var scalar: Scalar? {
        if case .scalar(let scalar) = self { return scalar }
        return nil
    }
}

/// Builds the node tree of orch.yaml from libyaml's events, in one pass and
/// without recursion, so loading is linear in the text:
/// - duplicate keys are found as each mapping is built (keys compared as text) and
///   marked on their pair, so the reader reports each where it is and still checks
///   the rest of the file;
/// - aliases share their anchor's node and are counted, not expanded: the nodes
///   they add are summed as they come, and a document whose aliases would add more
///   than `maxAliasNodes` (an "alias bomb") is refused;
/// - nesting deeper than `maxDepth` is refused.
struct YAMLComposer {
    /// Nodes that aliases may add: at least this many, or ten times the nodes written out.
    static let maxAliasNodes = 1_000_000
    static let maxDepth = 1_000
    /// Pairs from which a mapping's keys are looked up in `Open.keyLines`.
    static let indexedPairs = 8

    var root: Node?
    var diagnostics: [ConfigDiagnostic] = []

    /// A sequence or mapping whose end has not come yet.
    private struct Open {
        var isMapping: Bool
        var anchor: String?
        var mark: Node.Mark
        var items: [Node] = []
        var pairs: [Node.Pair] = []
        var pendingKey: Node?
        /// First line of each scalar key so far, once the mapping has
        /// `indexedPairs` pairs; a smaller one is searched pair by pair (most
        /// mappings have a few keys, and a dictionary each cost more than the scan).
        var keyLines: [String: Int] = [:]
        /// This node and everything below it, aliases expanded.
        var expandedCount = 1

        /// Takes a finished child: an item, a mapping's key, or the value that
        /// completes a pair (marked when its key repeats an earlier one).
        mutating func add(_ node: Node, expandedCount count: Int) {
            expandedCount = YAMLComposer.saturatingSum(expandedCount, count)
            guard isMapping else {
                items.append(node)
                return
            }
            guard let key = pendingKey else {
                pendingKey = node
                return
            }
            pendingKey = nil
            var pair = Node.Pair(key: key, value: node)
            if case .scalar(let scalar) = key { pair.duplicateOf = firstLine(of: scalar) }
            pairs.append(pair)
        }

        /// The line of the earlier key with the same text, or nil (and the key is
        /// remembered) when it is the first.
        mutating func firstLine(of scalar: Node.Scalar) -> Int? {
            if pairs.count < YAMLComposer.indexedPairs {
                // The first earlier pair with the same key text (never a duplicate itself).
                return pairs.first { $0.key.scalar?.string == scalar.string }?.key.mark.line
            }
            if pairs.count == YAMLComposer.indexedPairs {
                for earlier in pairs where earlier.duplicateOf == nil {
                    if let text = earlier.key.scalar?.string { keyLines[text] = earlier.key.mark.line }
                }
            }
            if let first = keyLines[scalar.string] { return first }
            keyLines[scalar.string] = scalar.mark.line
            return nil
        }
    }

    init(_ text: String, file: String) {
        var stack: [Open] = []
        var anchors: [String: (node: Node, expandedCount: Int)] = [:]
        var documents = 0
        var writtenNodes = 0
        var aliasNodes = 0
        var problem: ConfigDiagnostic?
        var result: Node?

        func fail(_ mark: Node.Mark, _ message: String) -> Bool {
            problem = ConfigDiagnostic(file: file, line: mark.line, column: mark.column, message: message)
            return false
        }

        /// Hands a finished node to its parent (or makes it the root).
        func add(_ node: Node, expandedCount: Int) {
            guard !stack.isEmpty else {
                result = node
                return
            }
            // In place: the parent is not moved out of the stack and back.
            stack[stack.count - 1].add(node, expandedCount: expandedCount)
        }

        let syntax = YAMLEvents.parse(text) { event in
            switch event {
            case .documentStart(let mark):
                documents += 1
                if documents > 1 {
                    return fail(mark, "invalid YAML: but found another document (expected a single document in the stream at line 1, column 1)")
                }
            case .documentEnd:
                break
            case let .scalar(value, style, anchor, tag, mark):
                writtenNodes += 1
                let node = Node.scalar(Node.Scalar(string: value, style: style, tag: tag, mark: mark))
                if let anchor { anchors[anchor] = (node, 1) }
                add(node, expandedCount: 1)
            case let .alias(anchor, mark):
                // An anchor is registered when its node ends, so an alias inside
                // its own anchor's node is undefined: no cycles.
                guard let target = anchors[anchor] else {
                    return fail(mark, "invalid YAML: found undefined alias")
                }
                aliasNodes = Self.saturatingSum(aliasNodes, target.expandedCount)
                let limit = Swift.max(Self.maxAliasNodes, Self.saturatingProduct(writtenNodes, 10))
                if aliasNodes > limit {
                    return fail(mark, "aliases expand to more than \(limit) nodes (an alias bomb?); orch does not expand them: use fewer or smaller aliases")
                }
                add(target.node, expandedCount: target.expandedCount)
            case let .sequenceStart(anchor, mark), let .mappingStart(anchor, mark):
                guard stack.count < Self.maxDepth else {
                    return fail(mark, "nested more than \(Self.maxDepth) levels deep; orch.yaml needs only a few levels")
                }
                writtenNodes += 1
                var isMapping = false
                if case .mappingStart = event { isMapping = true }
                stack.append(Open(isMapping: isMapping, anchor: anchor, mark: mark))
            case .sequenceEnd, .mappingEnd:
                guard let open = stack.popLast() else { return true }
                let node: Node = open.isMapping
                    ? .mapping(Node.Mapping(pairs: open.pairs, mark: open.mark))
                    : .sequence(Node.Sequence(items: open.items, mark: open.mark))
                if let anchor = open.anchor { anchors[anchor] = (node, open.expandedCount) }
                add(node, expandedCount: open.expandedCount)
            }
            return true
        }
        if let syntax {
            diagnostics.append(Self.diagnostic(for: syntax, text: text, file: file))
        } else if let problem {
            diagnostics.append(problem)
        } else {
            root = result
        }
    }

    fileprivate static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    private static func saturatingProduct(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }

    // MARK: - Syntax errors

    /// libyaml's message with its position, and a hint for the two mistakes new
    /// users make most: a tab in the indentation, and a value with `: ` in it.
    static func diagnostic(for error: YAMLEvents.SyntaxError, text: String, file: String) -> ConfigDiagnostic {
        var message = "invalid YAML: \(error.problem)"
        if let context = error.context, !context.isEmpty, let mark = error.contextMark {
            message += " (\(context) at line \(mark.line), column \(mark.column))"
        }
        if let mark = error.mark, let hint = hint(for: error, line: line(mark.line, of: text)) {
            message += ": \(hint)"
        }
        return ConfigDiagnostic(file: file, line: error.mark?.line, column: error.mark?.column, message: message)
    }

    static func hint(for error: YAMLEvents.SyntaxError, line: Substring) -> String? {
        let indentation = line.prefix { $0 == " " || $0 == "\t" }
        if indentation.contains("\t") {
            return "YAML indents with spaces, not tabs: replace the tab at the start of the line with spaces"
        }
        if error.problem == "mapping values are not allowed in this context", let quoted = quotingValue(of: line) {
            return "a value that contains ': ' must be quoted, e.g. `\(quoted)`"
        }
        return nil
    }

    /// `command: echo a: b` as `command: "echo a: b"`: the line with its value
    /// quoted, or nil when the line is not `key: value`.
    static func quotingValue(of line: Substring) -> String? {
        var body = line.drop { $0 == " " }
        var prefix = ""
        if body.hasPrefix("- ") {
            prefix = "- "
            body = body.dropFirst(2)
        }
        guard let separator = body.firstRange(of: ": ") else { return nil }
        let key = body[..<separator.lowerBound]
        let value = body[separator.upperBound...].trimmingWhitespace()
        guard !key.isEmpty, !value.isEmpty, !key.contains(" "), let first = value.first, first != "\"", first != "'" else { return nil }
        // A long line is not repeated whole in the message.
        guard key.count <= 40 else { return nil }
        guard value.count <= 80 else { return "\(prefix)\(key): \"\(value.prefix(20))…\"" }
        let quoted = value.contains("\"") || value.contains("\\")
            ? "'" + value.replacing("'", with: "''") + "'"
            : "\"" + value + "\""
        return "\(prefix)\(key): \(quoted)"
    }

    /// Line `number` (1-based) of `text`, without its line break.
    static func line(_ number: Int, of text: String) -> Substring {
        let bytes = text.utf8
        var current = 1
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex, current <= number {
            if bytes[index] == 0x0A {
                if current == number { break }
                current += 1
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        guard current == number else { return "" }
        var line = text[start..<index]
        if line.utf8.last == 0x0D { line = line.dropLast() }
        return line
    }
}

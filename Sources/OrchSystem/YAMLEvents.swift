import CLibYAML

/// libyaml's event parser (`yaml_parser_parse` in libyaml's `yaml.h`) as a stream of
/// Swift values: the only place orch touches libyaml's structures and pointers.
/// OrchConfig's composer builds its node tree from these events.
public enum YAMLEvents {
    /// Where an event starts: 1-based line and column, the column counted in
    /// Unicode scalars as libyaml counts them.
    public struct Mark: Sendable, Equatable {
        public var line: Int
        public var column: Int

        public init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
    }

    public enum ScalarStyle: Sendable, Equatable {
        case any, plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// One parsing event. Stream start and end are not passed on.
    public enum Event: Sendable, Equatable {
        case documentStart(Mark)
        case documentEnd(Mark)
        /// `*name`: the anchor it refers to.
        case alias(anchor: String, Mark)
        /// `tag`: an explicit tag, core tags shortened (`!!str`, `!!int`, `!`); nil
        /// when there is none (the text alone decides what the value is).
        case scalar(value: String, style: ScalarStyle, anchor: String?, tag: String?, Mark)
        case sequenceStart(anchor: String?, Mark)
        case sequenceEnd(Mark)
        case mappingStart(anchor: String?, Mark)
        case mappingEnd(Mark)
    }

    /// A reader, scanner or parser error, in libyaml's words.
    public struct SyntaxError: Error, Sendable, Equatable {
        /// What is wrong: "mapping values are not allowed in this context".
        public var problem: String
        /// Where; nil only when libyaml gives no position (out of memory).
        public var mark: Mark?
        /// What libyaml was doing: "while parsing a block mapping", with where that started.
        public var context: String?
        public var contextMark: Mark?
    }

    /// Parses `text` (UTF-8) and hands each event to `body` in order until the
    /// stream ends, `body` returns false, or the text is not valid YAML (the error
    /// is returned). Linear in the text: libyaml reads it once, and each event is
    /// copied into Swift values as it comes.
    public static func parse(_ text: String, _ body: (Event) -> Bool) -> SyntaxError? {
        var text = text
        return text.withUTF8 { bytes in
            // libyaml wants a non-NULL input; an empty text has no events anyway.
            guard bytes.count > 0 else { return nil }
            let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
            let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
            defer {
                parser.deallocate()
                event.deallocate()
            }
            // The parser keeps a pointer to itself (its read handler's data), so
            // it lives in allocated memory, not in a Swift variable that may move.
            guard yaml_parser_initialize(parser) == 1 else {
                return SyntaxError(problem: "out of memory", mark: nil, context: nil, contextMark: nil)
            }
            defer { yaml_parser_delete(parser) }
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(parser, bytes.baseAddress, bytes.count)
            while true {
                guard yaml_parser_parse(parser, event) == 1 else {
                    return error(parser.pointee, bytes: bytes)
                }
                defer { yaml_event_delete(event) }
                let done = event.pointee.type == YAML_STREAM_END_EVENT
                if let problem = unsupportedTag(event.pointee) { return problem }
                if let value = convert(event.pointee), !body(value) { return nil }
                if done { return nil }
            }
        }
    }

    /// The core schema's tags for the shapes orch reads; `!` alone means "plain".
    private static let plainTags: Set<String> = [
        "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:null", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
    ]

    /// Any other tag (`!!binary`, `!!set`, `!!timestamp`, `!custom`) would be read
    /// as if absent, so `command: !!binary c2xlZXA=` ran the base64 text: an error.
    private static func unsupportedTag(_ event: yaml_event_t) -> SyntaxError? {
        let tag: String?
        switch event.type {
        case YAML_SCALAR_EVENT: tag = string(event.data.scalar.tag)
        case YAML_SEQUENCE_START_EVENT: tag = string(event.data.sequence_start.tag)
        case YAML_MAPPING_START_EVENT: tag = string(event.data.mapping_start.tag)
        default: tag = nil
        }
        guard let tag, !plainTags.contains(tag) else { return nil }
        let shown = self.shown(tag)
        let mark = Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        return SyntaxError(
            problem: "the tag '\(shown.prefix(100))' is not supported (orch reads plain strings, numbers, lists and maps): remove it",
            mark: mark, context: nil, contextMark: nil)
    }

    /// `tag:yaml.org,2002:str` as it is written, `!!str`.
    private static func shown(_ tag: String) -> String {
        let core = "tag:yaml.org,2002:"
        return tag.hasPrefix(core) ? "!!" + tag.dropFirst(core.count) : tag
    }

    private static func convert(_ event: yaml_event_t) -> Event? {
        let mark = Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart(mark)
        case YAML_DOCUMENT_END_EVENT:
            return .documentEnd(mark)
        case YAML_ALIAS_EVENT:
            return .alias(anchor: string(event.data.alias.anchor) ?? "", mark)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            // The length, not a terminator: a scalar may hold NUL ("\0").
            let value = scalar.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(scalar.length)), as: UTF8.self) } ?? ""
            return .scalar(value: value, style: style(scalar.style), anchor: string(scalar.anchor), tag: string(scalar.tag).map(shown), mark)
        case YAML_SEQUENCE_START_EVENT:
            return .sequenceStart(anchor: string(event.data.sequence_start.anchor), mark)
        case YAML_SEQUENCE_END_EVENT:
            return .sequenceEnd(mark)
        case YAML_MAPPING_START_EVENT:
            return .mappingStart(anchor: string(event.data.mapping_start.anchor), mark)
        case YAML_MAPPING_END_EVENT:
            return .mappingEnd(mark)
        default:
            return nil
        }
    }

    private static func style(_ style: yaml_scalar_style_t) -> ScalarStyle {
        switch style {
        case YAML_PLAIN_SCALAR_STYLE: return .plain
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .any
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func error(_ parser: yaml_parser_t, bytes: UnsafeBufferPointer<UInt8>) -> SyntaxError {
        let problem = parser.problem.map { String(cString: $0) } ?? "cannot parse the file"
        switch parser.error {
        case YAML_READER_ERROR:
            // The reader gives a byte offset (a control character, broken UTF-8).
            return SyntaxError(problem: problem, mark: mark(atByte: Int(parser.problem_offset), in: bytes), context: nil, contextMark: nil)
        case YAML_SCANNER_ERROR, YAML_PARSER_ERROR:
            let context = parser.context.map { String(cString: $0) }
            return SyntaxError(
                problem: problem,
                mark: Mark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1),
                context: context,
                contextMark: context == nil ? nil : Mark(line: Int(parser.context_mark.line) + 1, column: Int(parser.context_mark.column) + 1)
            )
        default:
            return SyntaxError(problem: problem, mark: nil, context: nil, contextMark: nil)
        }
    }

    /// Line and column (in scalars) of a byte offset.
    private static func mark(atByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Mark {
        var line = 1, column = 1
        for byte in bytes.prefix(offset) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Mark(line: line, column: column)
    }
}

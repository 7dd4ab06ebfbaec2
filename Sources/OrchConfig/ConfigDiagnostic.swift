import OrchLimits

/// One problem found in the configuration, located as precisely as the source
/// allows: `orch.yaml:14:5: unknown key 'restrat' in process 'web' (did you mean 'restart'?)`.
public struct ConfigDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the user would name it (relative to the working directory when
    /// it lies beneath it); empty for problems that come from the command line.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = Self.bounded(message)
    }

    /// Most characters of the config a message quotes.
    public static let longestExcerpt = Limits.quotedCharacters

    /// `text` as a message may quote it (`Limits.excerpt`).
    public static func excerpt(_ text: some StringProtocol) -> String { Limits.excerpt(text) }

    /// Longest stretch of a message outside quotes (orch's own words, and the
    /// paths it names unquoted).
    static let longestUnquoted = 1000

    /// The message with every stretch between quotes cut as `excerpt` cuts, so a
    /// 1 MB value or a multi-line command never floods the terminal, whichever
    /// message quotes it; the rest is cut at a line or `longestUnquoted` characters.
    static func bounded(_ message: String) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        var quoted = false
        var cut = false
        for scalar in message.unicodeScalars {
            if scalar == "'" {
                out.append(scalar)
                quoted.toggle()
                count = 0
                cut = false
                continue
            }
            if cut { continue }
            if scalar == "\n" || scalar == "\r" || count == (quoted ? longestExcerpt : longestUnquoted) {
                out.append("…")
                cut = true
                continue
            }
            out.append(scalar)
            count += 1
        }
        return String(out)
    }

    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return location.isEmpty ? message : "\(location): \(message)"
    }
}

/// Every problem that made the configuration unusable, in the order they were found.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]

    public init(diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public init(_ diagnostic: ConfigDiagnostic) {
        self.diagnostics = [diagnostic]
    }

    /// Most errors printed; the rest are counted (`and 12 more errors`).
    public static let mostShown = 50

    /// The lines to print: the first `limit` diagnostics, then how many more there are.
    public func lines(limit: Int = ConfigError.mostShown, noun: String = "error") -> [String] {
        var lines = diagnostics.prefix(limit).map(\.description)
        let rest = diagnostics.count - lines.count
        if rest > 0 { lines.append("and \(rest) more \(noun)\(rest == 1 ? "" : "s")") }
        return lines
    }

    public var description: String {
        lines().joined(separator: "\n")
    }
}

/// Did-you-mean suggestions: the nearest candidate by optimal-string-alignment
/// distance (a Levenshtein distance that counts a transposition as one edit, so
/// `restrat` is one edit from `restart`), if close enough to be a typo.
///
/// Bounded so that a hostile name costs nothing: a word over `longestWord`
/// characters gets no suggestion, at most `mostCandidates` candidates are looked
/// at, candidates whose length differs by more than the allowed distance are
/// skipped unread, and the distance is computed in a band with an early exit.
public enum Suggestion {
    /// Longer words get no suggestion (no name or key is that long by mistake).
    public static let longestWord = 64
    /// Candidates looked at per search.
    public static let mostCandidates = 10_000
    /// Candidates listed by ` (expected one of: …)`.
    static let mostListed = 20

    /// Candidates prepared once (lowercased, split into scalars) for many searches.
    public struct Candidates: Sendable {
        let names: [String]
        let lowered: [[Unicode.Scalar]?]
        let signatures: [UInt64]

        public init(_ names: [String]) {
            self.names = Array(names.prefix(Suggestion.mostCandidates))
            lowered = self.names.map(Suggestion.prepare)
            signatures = lowered.map { $0.map(Suggestion.signature) ?? 0 }
        }

        public var count: Int { names.count }
    }

    /// Which characters a word has, hashed onto 64 bits. Each character of one word
    /// that the other lacks costs at least one edit, so the bits set in one
    /// signature and not the other bound the distance from below: most candidates
    /// are ruled out with two ANDs, without computing any distance.
    static func signature(_ scalars: [Unicode.Scalar]) -> UInt64 {
        var bits: UInt64 = 0
        for scalar in scalars { bits |= 1 << UInt64(scalar.value % 64) }
        return bits
    }

    public static func nearest(to word: String, in candidates: [String]) -> String? {
        guard prepare(word) != nil else { return nil }
        return nearest(to: word, in: Candidates(candidates))
    }

    public static func nearest(to word: String, in candidates: Candidates) -> String? {
        guard let target = prepare(word) else { return nil }
        let targetSignature = signature(target)
        var best: (index: Int, distance: Int)?
        var rows = Rows()
        for (index, candidate) in candidates.lowered.enumerated() {
            guard let candidate else { continue }
            var limit = max(1, min(3, candidate.count / 3 + 1))
            if let best { limit = min(limit, best.distance - 1) }
            let other = candidates.signatures[index]
            guard limit >= 0, abs(candidate.count - target.count) <= limit,
                  (targetSignature & ~other).nonzeroBitCount <= limit, (other & ~targetSignature).nonzeroBitCount <= limit,
                  let distance = editDistance(target, candidate, atMost: limit, rows: &rows)
            else { continue }
            best = (index, distance)
            if distance == 0 { break }
        }
        return best.map { candidates.names[$0.index] }
    }

    /// ` (did you mean 'x'?)` or ` (expected one of: a, b, c)`.
    static func hint(for word: String, in candidates: [String], listing: Bool = true) -> String {
        if let match = nearest(to: word, in: candidates) { return " (did you mean '\(match)'?)" }
        return listing ? self.listing(candidates) : ""
    }

    /// ` (expected one of: a, b, c)`, the first `mostListed` of them.
    static func listing(_ candidates: [String]) -> String {
        guard !candidates.isEmpty else { return "" }
        let shown = candidates.prefix(mostListed).joined(separator: ", ")
        return " (expected one of: \(shown)\(candidates.count > mostListed ? ", …" : ""))"
    }

    /// The word as compared: lowercased scalars; nil when it is too long to be a typo.
    static func prepare(_ word: String) -> [Unicode.Scalar]? {
        guard word.utf8.count <= longestWord * 4 else { return nil }
        let scalars = Array(word.lowercased().unicodeScalars)
        return scalars.count <= longestWord ? scalars : nil
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        return editDistance(a, b, atMost: max(a.count, b.count)) ?? max(a.count, b.count)
    }

    /// Three rows of the distance table, kept across the candidates of one search.
    struct Rows {
        var previous2: [Int] = []
        var previous: [Int] = []
        var current: [Int] = []
    }

    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], atMost limit: Int) -> Int? {
        var rows = Rows()
        return editDistance(a, b, atMost: limit, rows: &rows)
    }

    /// The distance when it is at most `limit`, else nil. Only cells within
    /// `limit` of the diagonal are computed, and a row whose every cell is past
    /// the limit ends the search (no later row can come back under it: a
    /// transposition from two rows up passes through the row between).
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], atMost limit: Int, rows: inout Rows) -> Int? {
        guard limit >= 0, abs(a.count - b.count) <= limit else { return nil }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        let far = limit + 1
        let width = b.count + 1
        if rows.current.count < width {
            rows.previous2 = [Int](repeating: far, count: width)
            rows.previous = rows.previous2
            rows.current = rows.previous2
        }
        for j in 0..<width {
            rows.previous2[j] = far
            rows.previous[j] = Swift.min(j, far)
            rows.current[j] = far
        }
        for i in 1...a.count {
            let low = Swift.max(1, i - limit), high = Swift.min(b.count, i + limit)
            rows.current[low - 1] = low == 1 ? Swift.min(i, far) : far
            if high < b.count { rows.current[high + 1] = far }
            var rowMinimum = rows.current[low - 1]
            for j in low...high {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = Swift.min(rows.previous[j] + 1, rows.current[j - 1] + 1, rows.previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = Swift.min(value, rows.previous2[j - 2] + 1)
                }
                value = Swift.min(value, far)
                rows.current[j] = value
                rowMinimum = Swift.min(rowMinimum, value)
            }
            if rowMinimum > limit { return nil }
            swap(&rows.previous2, &rows.previous)
            swap(&rows.previous, &rows.current)
        }
        let distance = rows.previous[b.count]
        return distance <= limit ? distance : nil
    }
}

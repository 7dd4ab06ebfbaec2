import OrchLimits

/// The `-m` option, as foreman's: `web=2,worker=0,all=1`. `all` is the default for
/// every process the option does not name; a count of 0 keeps the process in the
/// spec without starting it.
public enum Formation {
    /// The key that sets the default for every process.
    public static let all = "all"
    /// Most replicas of one process (formation, `replicas:`, `orch ctl scale`).
    public static let maxReplicas = Limits.replicas

    public static func parse(_ text: String) throws(ConfigError) -> [String: Int] {
        var result: [String: Int] = [:]
        var problems: [ConfigDiagnostic] = []
        if text.trimmingWhitespace().isEmpty { return result }
        // `-m ',,,'` has four empty entries and one mistake: each message once.
        var said: Set<String> = []
        func add(_ problem: ConfigDiagnostic) {
            if said.insert(problem.message).inserted { problems.append(problem) }
        }
        var sawEmpty = false
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingWhitespace()
            if item.isEmpty {
                if !sawEmpty { add(problem("empty entry in '\(text)': expected name=count, e.g. web=2,worker=1")) }
                sawEmpty = true
                continue
            }
            let pieces = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2 else {
                add(problem("invalid formation entry '\(item)': expected name=count, e.g. web=2"))
                continue
            }
            let name = pieces[0].trimmingWhitespace()
            let countText = pieces[1].trimmingWhitespace()
            guard Procfile.isValidName(name) else {
                add(problem("invalid process name '\(name)' in formation entry '\(item)'"))
                continue
            }
            guard let count = Int(countText), (0...Formation.maxReplicas).contains(count) else {
                add(problem("invalid count '\(countText)' in formation entry '\(item)': expected a number from 0 to \(Formation.maxReplicas)"))
                continue
            }
            result[name] = count
        }
        guard problems.isEmpty else { throw ConfigError(diagnostics: problems) }
        return result
    }

    static func problem(_ message: String) -> ConfigDiagnostic {
        ConfigDiagnostic(file: "", message: "formation (-m): \(message)")
    }
}

extension ConfigLoader {
    /// The process names of the config `file` names (relative to
    /// `workingDirectory`) or discovery finds, in file order: for shell completion,
    /// which must answer at once and print nothing. No env file is read and nothing
    /// is validated; a config that cannot be read gives no names.
    public static func processNames(file: String?, workingDirectory: String) -> [String] {
        let path: String
        if let file {
            path = Path.absolute(file, relativeTo: workingDirectory)
        } else if let found = discover(from: workingDirectory) {
            path = found
        } else {
            return []
        }
        guard case let .success(text) = FileSystem.read(path) else { return [] }
        if isYAML(path) {
            return YAMLReader.read(text, file: path).project?.processes.map(\.name) ?? []
        }
        if let entries = try? Procfile.parse(text, file: path) { return entries.map(\.name) }
        // A Procfile with a bad line still completes the good ones.
        return text.split(separator: "\n").compactMap { line -> String? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = String(line[..<colon]).trimmingWhitespace()
            return Procfile.isValidName(name) ? name : nil
        }
    }
}

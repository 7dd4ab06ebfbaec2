import OrchCLI
import OrchConfig
import OrchSystem

/// `orch export FORMAT DIR`: writes the project as another supervisor's files. The
/// formats are `Exporters.all`; this command only loads, checks and writes.
struct Export {
    static let spec = CommandSpec(
        "export",
        abstract: "Write the project as another supervisor's files, e.g. systemd units.",
        discussion: """
        Without arguments, lists the formats. `orch export systemd DIR` writes one \
        service unit per process instance (APP-web.service, APP-web.2.service, ...) and \
        APP.target, which wants them all. Files orch wrote before are replaced, and \
        those of this app that the config no longer produces are removed; any other \
        file is left alone unless --force. Then install and start them:

          sudo cp DIR/* /etc/systemd/system/
          sudo systemctl daemon-reload
          sudo systemctl enable --now APP.target
        """,
        options: [
            .value("app", short: "a", name: "name", help: "Name of the app: the prefix of every unit (default: the project directory's name)."),
            .flag("user", help: "Units for the user's service manager (systemctl --user): the target is wanted by default.target, not multi-user.target."),
            .flag("force", help: "Overwrite files that orch did not write."),
        ] + ConfigOptions.options,
        arguments: [
            ArgumentSpec("format", help: "Format (systemd); none lists the formats.", optional: true, completion: .list(Exporters.all.map(\.format))),
            ArgumentSpec("dir", help: "Directory to write the files into (created when missing).", optional: true, completion: .directory),
        ],
        run: { try Export($0).run() }
    )

    var format: String?
    var directory: String?
    var app: String?
    var user: Bool
    var force: Bool
    var config: ConfigOptions

    init(_ parsed: Parsed) throws {
        format = parsed.argument("format")
        directory = parsed.argument("dir")
        app = parsed.string("app")
        user = parsed.flag("user")
        force = parsed.flag("force")
        config = try ConfigOptions(parsed)
    }

    func run() throws {
        blockSignalsForSupervision()
        guard let format else {
            print("Formats:")
            let width = Exporters.all.map(\.format.count).max() ?? 0
            for exporter in Exporters.all { print("  \(pad(exporter.format, width))  \(exporter.summary)") }
            print("Usage: orch export FORMAT DIR [--app NAME] [--user] [--force] [-f FILE] [-m FORMATION]")
            return
        }
        guard let exporter = Exporters.named(format) else {
            let known = Exporters.all.map(\.format)
            var text = "orch: unknown export format '\(format)'"
            if let suggestion = Suggestion.nearest(to: format, in: known) { text += " (did you mean '\(suggestion)'?)" }
            printError(text + "; formats: \(known.joined(separator: ", "))")
            throw ExitCode(2)
        }
        guard let directory else {
            printError("orch: export \(format) needs a directory to write into, e.g. `orch export \(format) ./\(format)`")
            throw ExitCode(2)
        }
        let spec = try config.load()
        let appName = app ?? Exporters.defaultApp(directory: spec.directory)
        let options = ExportOptions(app: appName, user: user, source: displayPath(spec.configFile))
        let result: ExportResult
        do {
            result = try exporter.export(spec, options: options)
        } catch {
            printError("orch: cannot export \(displayPath(spec.configFile)): \(error)")
            throw ExitCode(2)
        }
        try write(result, into: directory, app: appName)
        for note in result.notes { printError("orch: note: \(note)") }
    }

    /// Writes every file, after checking none would replace a file orch did not
    /// write; removes this app's generated files the export no longer produces.
    private func write(_ result: ExportResult, into directory: String, app: String) throws {
        if Files.exists(directory) && !Files.isDirectory(directory) {
            printError("orch: \(directory) is not a directory")
            throw ExitCode(2)
        }
        let existing = Files.list(directory) ?? []
        let names = Set(result.files.map(\.name))
        var foreign: [String] = []
        for file in result.files where existing.contains(file.name) {
            if !isGenerated(join(directory, file.name)) { foreign.append(file.name) }
        }
        if !foreign.isEmpty && !force {
            printError("orch: \(directory) already has \(foreign.joined(separator: ", ")), which orch did not write: move \(foreign.count == 1 ? "it" : "them") away or pass --force to overwrite")
            throw ExitCode(1)
        }
        let stale = existing.filter { name in
            !names.contains(name) && name.hasPrefix(app) && generatedApp(join(directory, name)) == app
        }
        do {
            try Files.makeDirectories(directory)
            for file in result.files {
                try Descriptor.writeFile(join(directory, file.name), Array(file.contents.utf8))
            }
        } catch {
            printError("orch: cannot write into \(directory): \(error)")
            throw ExitCode(1)
        }
        for name in stale { Files.remove(join(directory, name)) }
        for file in result.files { print("wrote \(join(directory, file.name))") }
        for name in stale { print("removed \(join(directory, name)) (no longer in the config)") }
    }

    private func isGenerated(_ path: String) -> Bool {
        guard let bytes = Files.read(path, limit: 4096) else { return false }
        return Exporters.isGenerated(String(decoding: bytes, as: UTF8.self))
    }

    private func generatedApp(_ path: String) -> String? {
        guard let bytes = Files.read(path, limit: 4096) else { return nil }
        return Exporters.generatedApp(String(decoding: bytes, as: UTF8.self))
    }

    private func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

/// The command line's say over a loaded config, applied in one place so that `up`,
/// `run`, `check` and `orch ctl reload` resolve a file the same way.
extension ConfigLoader {
    /// `--timeout` replaces every process's stop timeout; the control port is
    /// `--port`, else ORCH_PORT, else `control.port`.
    static func applyCommandLine(_ options: LoadOptions, to spec: inout ProjectSpec) throws(ConfigError) {
        if let timeout = options.stopTimeout {
            for i in spec.processes.indices { spec.processes[i].stop.timeout = timeout }
        }
        var port = options.controlPort
        var source = "--port"
        if port == nil, let text = options.environment["ORCH_PORT"], !text.isEmpty {
            guard let value = Int(text) else {
                throw ConfigError(ConfigDiagnostic(file: "", message: "ORCH_PORT='\(String(text.prefix(200)))' is not a port number"))
            }
            port = value
            source = "ORCH_PORT"
        }
        if let port {
            guard (0...65535).contains(port) else {
                throw ConfigError(ConfigDiagnostic(file: "", message: "control port \(port) (\(source)) is out of range (0-65535)"))
            }
            spec.control.port = port
        } else if let configured = spec.control.port, !(0...65535).contains(configured) {
            throw ConfigError(ConfigDiagnostic(file: "", message: "control port \(configured) is out of range (0-65535)"))
        }
    }
}

/// The config as written, before environments are merged and ports assigned:
/// what the Procfile and orch.yaml readers produce and `ConfigLoader` resolves.
struct RawProject {
    struct Location: Hashable {
        var line: Int?
        var column: Int?
    }

    struct EnvFile {
        var path: String
        var location: Location
    }

    struct EnvEntry {
        var key: String
        /// Raw text, interpolated when the environment is merged.
        var value: String
        var location = Location()
    }

    struct DependencyEntry {
        var dependency: Dependency
        var location: Location
    }

    struct Process {
        var name: String
        var location: Location
        var command: String
        var cwd: String?
        var cwdLocation = Location()
        var env: [EnvEntry] = []
        var envFiles: [EnvFile] = []
        var kind: ProcessKind = .service
        var replicas: Int?
        var restart: RestartPolicy?
        var backoff = Backoff()
        var maxRestarts: Int?
        var dependsOn: [DependencyEntry] = []
        var ready: ReadyProbe?
        var readyLocation = Location()
        var stop = StopSpec()
        var optional = false
        var port: Int?
        var portLocation = Location()
        var watch: WatchSpec?
        var pty = false
        var log: LogFileSpec?
        var timeout: Duration?
        var autostart = true
    }

    var envFiles: [EnvFile] = []
    var env: [EnvEntry] = []
    var processes: [Process] = []
    var control = ControlSpec()
    var reload = true
    var controlSocketLocation = Location()
}

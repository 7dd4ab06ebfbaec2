import OrchClient
import OrchProtocol
import OrchRuntime
import OrchSystem

/// The state file as the runtime's endpoint registry.
struct StateFileRegistry: EndpointRegistry {
    var environment: [String: String]

    func running(project: String) throws -> ControlEndpoint? {
        switch StateFile.lookup(project: project, environment: environment) {
        case let .running(endpoint): return endpoint
        case let .untrusted(problem): throw StateFile.Untrusted(description: problem + " (or start orch with --no-control)")
        default: return nil
        }
    }

    func publish(_ endpoint: ControlEndpoint) throws -> String {
        try StateFile.write(endpoint, environment: environment)
    }

    func withdraw(_ path: String) {
        // Only remove our own file.
        if let bytes = Files.read(path), let endpoint = try? Wire.decode(ControlEndpoint.self, from: bytes[...]),
           endpoint.pid == Processes.currentPID {
            Files.remove(path)
        }
    }
}

import OrchProtocol
import OrchSystem

/// Where `orch ctl` connects, and with which token.
public enum ControlTarget: Equatable, Sendable {
    case tcp(host: String, port: UInt16, token: String)
    case unix(path: String, token: String)

    public var address: String {
        switch self {
        case let .tcp(host, port, _): return "\(host):\(port)"
        case let .unix(path, _): return "unix:\(path)"
        }
    }
}

/// Finds the running orch, in this order: an explicit address (`--control` or
/// `ORCH_CONTROL`, with the token from `ORCH_TOKEN` or `--token-file`); a state file
/// given as `--token-file`; the state file of the project (the config's directory);
/// else of the nearest directory from here up that has a running orch.
public struct EndpointDiscovery: Sendable {
    public var control: String?
    public var tokenFile: String?
    /// The directory of the config found from here (or given), nil when none.
    public var projectDirectory: String?
    public var currentDirectory: String
    public var environment: [String: String]

    public init(control: String?, tokenFile: String?, projectDirectory: String?, currentDirectory: String, environment: [String: String]) {
        self.control = control
        self.tokenFile = tokenFile
        self.projectDirectory = projectDirectory
        self.currentDirectory = currentDirectory
        self.environment = environment
    }

    public func find() throws(ClientError) -> ControlTarget {
        if let address = control ?? environment["ORCH_CONTROL"].flatMap({ $0.isEmpty ? nil : $0 }) {
            if address.hasPrefix("unix:") || address.hasPrefix("/") {
                let path = address.hasPrefix("unix:") ? String(address.dropFirst(5)) : address
                return .unix(path: path, token: try token())
            }
            guard let colon = address.lastIndex(of: ":"), colon != address.startIndex,
                  let port = UInt16(address[address.index(after: colon)...]) else {
                throw ClientError("--control needs HOST:PORT (a port from 1 to 65535) or unix:PATH, got '\(address)'")
            }
            return .tcp(host: String(address[..<colon]), port: port, token: try token())
        }
        if let tokenFile {
            // Without an address, the file must be a state file: it says where and how.
            let endpoint = try stateFile(tokenFile)
            return try target(endpoint, from: tokenFile)
        }
        var stalePid: Int32?
        for directory in projectDirectory.map({ [$0] }) ?? Self.ancestors(of: currentDirectory) {
            switch StateFile.lookup(project: directory, environment: environment) {
            case let .running(endpoint):
                return try target(endpoint, from: StateFile.path(forProject: directory, environment: environment))
            case .none:
                continue
            case let .stale(pid):
                stalePid = pid
            case let .untrusted(problem):
                throw ClientError(problem)
            }
        }
        let project = projectDirectory ?? currentDirectory
        if let stalePid {
            throw ClientError("no orch is running for \(project) (removed a stale state file\(stalePid > 0 ? " of pid \(stalePid)" : ""))")
        }
        throw ClientError("no orch is running for \(project)")
    }

    private func target(_ endpoint: ControlEndpoint, from file: String) throws(ClientError) -> ControlTarget {
        guard let port = UInt16(exactly: endpoint.port), port > 0 else {
            throw ClientError("\(file): port \(endpoint.port) is not a port (1-65535): is it a state file written by orch?")
        }
        return .tcp(host: endpoint.host, port: port, token: endpoint.token)
    }

    private func stateFile(_ path: String) throws(ClientError) -> ControlEndpoint {
        guard let bytes = Files.read(path, limit: 64 << 10) else { throw ClientError("cannot read the token file \(path)") }
        guard let endpoint = StateFileFormat.decode(bytes) else {
            throw ClientError("\(path) is not a state file of orch; with a file that holds only the token, give the address too: --control HOST:PORT")
        }
        return endpoint
    }

    /// The token for an explicit address: `ORCH_TOKEN`, else `--token-file` (a state
    /// file or a file holding just the token).
    private func token() throws(ClientError) -> String {
        if let token = environment["ORCH_TOKEN"], !token.isEmpty { return token }
        guard let tokenFile else { throw ClientError("--control needs the token: set ORCH_TOKEN or pass --token-file") }
        guard let bytes = Files.read(tokenFile, limit: 64 << 10) else { throw ClientError("cannot read the token file \(tokenFile)") }
        if let endpoint = StateFileFormat.decode(bytes) { return endpoint.token }
        // The token is one word: surrounding blanks and the final newline are not part of it.
        guard let token = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace).first else {
            throw ClientError("the token file \(tokenFile) is empty")
        }
        return String(token)
    }

    static func ancestors(of directory: String) -> [String] {
        var result: [String] = []
        var current = directory
        while !current.isEmpty {
            result.append(current)
            guard let slash = current.lastIndex(of: "/") else { break }
            current = String(current[..<slash])
        }
        return result
    }
}

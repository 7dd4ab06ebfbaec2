import OrchConfig

/// Control-port requests: start, stop, restart, signal, scale, reload.
extension Supervisor {
    /// The instances a request target names: `all`, a process (every replica) or one
    /// instance. Empty for a known process that has no instances; nil when unknown.
    public func resolve(_ target: String) -> [String]? {
        if target == "all" { return instances.filter { !$0.retired }.map(\.name) }
        let replicas = instances.filter { $0.process == target && !$0.retired }.map(\.name)
        if !replicas.isEmpty { return replicas }
        if let i = index[target], !instances[i].retired { return [target] }
        if project.process(named: target) != nil { return [] }
        return nil
    }

    /// Every name a client may use, for did-you-mean suggestions.
    public var knownNames: [String] {
        project.processes.map(\.name) + instances.map(\.name).filter { !project.processes.map(\.name).contains($0) }
    }

    mutating func handle(_ request: Request, now: Instant, _ effects: inout [Effect]) {
        guard !shuttingDown else { return }
        switch request {
        case let .start(names):
            for i in indices(of: names) {
                instances[i].stoppedOnRequest = false
                switch instances[i].state {
                case .ended:
                    instances[i].state = .waiting
                    instances[i].attempt = 0
                case .backoff:
                    instances[i].state = .starting
                    effects.append(.spawn(instances[i].spec))
                default:
                    break
                }
            }
            schedule(now, &effects)
        case let .stop(names):
            for i in indices(of: names) {
                instances[i].stoppedOnRequest = true
                stopForGood(i, now: now, &effects)
            }
        case let .restart(names):
            for i in indices(of: names) {
                instances[i].stoppedOnRequest = false
                switch instances[i].state {
                case .running:
                    stop(i, then: .restart, now: now, &effects)
                case let .stopping(pid, deadline, leaderExit, _):
                    instances[i].state = .stopping(pid: pid, deadline: deadline, leaderExit: leaderExit, then: .restart)
                case .backoff:
                    instances[i].state = .starting
                    effects.append(.spawn(instances[i].spec))
                case .ended:
                    instances[i].state = .waiting
                    instances[i].attempt = 0
                case .waiting, .starting:
                    break
                }
            }
            schedule(now, &effects)
        case let .signal(names, signal):
            for i in indices(of: names) {
                if let pid = instances[i].state.pid {
                    effects.append(.signalGroup(instance: instances[i].name, pid: pid, signal: signal))
                }
            }
        case let .scale(process, count):
            scale(process, to: count, now: now, &effects)
            schedule(now, &effects)
        case let .reload(newProject):
            reload(newProject, now: now, &effects)
            schedule(now, &effects)
        }
    }

    private func indices(of names: [String]) -> [Int] {
        names.compactMap { index[$0] }
    }

    /// Stops an instance and keeps it stopped (request, scale-down, removal).
    private mutating func stopForGood(_ i: Int, now: Instant, _ effects: inout [Effect]) {
        switch instances[i].state {
        case .running:
            stop(i, then: .stop, now: now, &effects)
        case let .stopping(pid, deadline, leaderExit, _):
            instances[i].state = .stopping(pid: pid, deadline: deadline, leaderExit: leaderExit, then: .stop)
        case .waiting, .backoff:
            instances[i].state = .ended(.stopped)
            effects.append(.message("\(instances[i].name) stopped"))
        case .starting, .ended:
            break
        }
    }

    private mutating func scale(_ process: String, to count: Int, now: Instant, _ effects: inout [Effect]) {
        guard let p = project.processes.firstIndex(where: { $0.name == process }) else { return }
        let spec = project.processes[p]
        project.processes[p].replicas = count
        let current = instances.indices.filter { instances[$0].process == process && !instances[$0].retired }
        if count > current.count {
            for replica in current.count..<count {
                let name = current.isEmpty && count == 1 ? process : "\(process).\(replica + 1)"
                add(spec, replica: replica, name: name)
            }
        } else if count < current.count {
            for i in current[count...].reversed() {
                instances[i].retired = true
                instances[i].stoppedOnRequest = true
                stopForGood(i, now: now, &effects)
            }
        }
        effects.append(.message("\(process) scaled to \(count)"))
    }

    private mutating func add(_ spec: ProcessSpec, replica: Int, name: String) {
        let instance = spec.instance(replica: replica, of: max(spec.replicas, 2), name: name)
        index[name] = instances.count
        instances.append(InstanceRecord(spec: instance))
    }

    /// Applies a re-read config: restart changed processes, start added ones, stop
    /// removed ones, leave the rest alone.
    private mutating func reload(_ newProject: ProjectSpec, now: Instant, _ effects: inout [Effect]) {
        let old = project
        project = newProject
        project.processes = newProject.processes
        for process in newProject.processes {
            guard var previous = old.process(named: process.name) else {
                for replica in 0..<max(process.replicas, 0) {
                    add(process, replica: replica, name: process.instanceName(replica: replica, of: process.replicas))
                }
                if !process.autostart && mode == .up {
                    // Added with `autostart: false`: there, stopped, until `orch ctl start`.
                    for i in instances.indices where instances[i].process == process.name && instances[i].state == .waiting {
                        instances[i].state = .ended(.stopped)
                    }
                }
                continue
            }
            previous.line = process.line
            let current = instances.indices.filter { instances[$0].process == process.name && !instances[$0].retired }
            if previous != process {
                var comparable = previous
                comparable.replicas = process.replicas
                if comparable != process {
                    for (replica, i) in current.enumerated() {
                        instances[i].spec = process.instance(replica: replica, of: max(current.count, 2), name: instances[i].name)
                        if case .running = instances[i].state {
                            stop(i, then: .restart, now: now, &effects)
                        }
                    }
                }
                if process.replicas != current.count {
                    var restore = project.processes
                    if let p = restore.firstIndex(where: { $0.name == process.name }) { restore[p].replicas = current.count }
                    project.processes = restore
                    scale(process.name, to: process.replicas, now: now, &effects)
                }
            }
        }
        for process in old.processes where newProject.process(named: process.name) == nil {
            for i in instances.indices where instances[i].process == process.name {
                instances[i].retired = true
                instances[i].stoppedOnRequest = true
                stopForGood(i, now: now, &effects)
            }
        }
    }

    /// A watched file changed: restart what runs (each new instance once the old
    /// group is gone), start again what ended on its own; leave alone what was
    /// stopped on request.
    mutating func restartForChange(_ process: String, path: String, others: Int, now: Instant, _ effects: inout [Effect]) {
        guard !shuttingDown else { return }
        let names = instances.filter { $0.process == process && !$0.retired && !$0.stoppedOnRequest }.map(\.name)
        guard !names.isEmpty else { return }
        effects.append(.message("\(process) changed: \(path)\(others > 0 ? " and \(others) more" : ""), restarting"))
        handle(.restart(names), now: now, &effects)
    }

    /// Drops retired instances that have ended.
    mutating func pruneRetired() {
        guard instances.contains(where: { $0.retired && $0.state.isEnded }) else { return }
        instances.removeAll { $0.retired && $0.state.isEnded }
        index = [:]
        for (i, record) in instances.enumerated() { index[record.name] = i }
    }
}

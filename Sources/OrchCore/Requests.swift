import OrchConfig

/// Control-port requests: start, stop, restart, signal, scale, reload.
extension Supervisor {
    /// The instances a request target names: `all`, a process (every replica) or one
    /// instance. Empty for a known process that has no instances; nil when unknown.
    public func resolve(_ target: String) -> [String]? {
        if target == "all" { return instances.filter { !$0.retired }.map(\.name) }
        let replicas = instances.filter { $0.process == target && !$0.retired }.map(\.name)
        if !replicas.isEmpty { return replicas }
        if let record = instances[target], !record.retired { return [target] }
        if spec(named: target) != nil { return [] }
        return nil
    }

    /// Every name a client may use, for did-you-mean suggestions.
    public var knownNames: [String] {
        let processes = project.processes.map(\.name)
        let processSet = Set(processes)
        return processes + instances.map(\.name).filter { !processSet.contains($0) }
    }

    mutating func handle(_ request: Request, now: Instant, _ effects: inout [Effect]) {
        guard !shuttingDown else { return }
        switch request {
        case let .start(names):
            for i in positions(of: names) {
                instances[i].stoppedOnRequest = false
                switch instances[i].state {
                case .ended:
                    instances[i].state = .waiting
                    instances[i].attempt = 0
                case .backoff:
                    launch(i, &effects)
                default:
                    break
                }
            }
            schedule(now, &effects)
        case let .stop(names):
            for i in positions(of: names) {
                instances[i].stoppedOnRequest = true
                stopForGood(i, now: now, &effects)
            }
            endRunIfTargetsEnded(now, &effects)
        case let .restart(names):
            resumeWatching(names)
            for i in positions(of: names) {
                instances[i].stoppedOnRequest = false
                switch instances[i].state {
                case .running:
                    stop(i, then: .restart, now: now, &effects)
                case let .stopping(pid, deadline, leaderExit, _, stop):
                    instances[i].state = .stopping(pid: pid, deadline: deadline, leaderExit: leaderExit, then: .restart, stop: stop)
                case .backoff:
                    launch(i, &effects)
                case .ended:
                    instances[i].state = .waiting
                    instances[i].attempt = 0
                case .waiting, .starting, .waitingForPort:
                    break
                }
            }
            schedule(now, &effects)
        case let .signal(names, signal):
            for i in positions(of: names) {
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

    private func positions(of names: [String]) -> [Int] {
        names.compactMap { instances.position(of: $0) }
    }

    /// Stops an instance and keeps it stopped (request, scale-down, removal).
    private mutating func stopForGood(_ i: Int, using spec: StopSpec? = nil, now: Instant, _ effects: inout [Effect]) {
        switch instances[i].state {
        case .running:
            stop(i, then: .stop, using: spec, now: now, &effects)
        case let .stopping(pid, deadline, leaderExit, _, stop):
            instances[i].state = .stopping(pid: pid, deadline: deadline, leaderExit: leaderExit, then: .stop, stop: stop)
        case .waiting, .backoff, .waitingForPort:
            instances[i].state = .ended(.stopped)
            effects.append(.event(.stopped(instance: instances[i].name)))
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
            endRunIfTargetsEnded(now, &effects)
        }
        effects.append(.event(.scaled(process: process, count: count)))
    }

    private mutating func add(_ spec: ProcessSpec, replica: Int, name: String) {
        instances.append(InstanceRecord(spec: spec.instance(replica: replica, of: max(spec.replicas, 2), name: name)))
    }

    /// Applies a re-read config by `ProjectDiff`: restart changed processes, scale
    /// those whose replicas alone changed, start added ones, stop removed ones with
    /// their own stop signal and timeout, leave the rest alone.
    private mutating func reload(_ newProject: ProjectSpec, now: Instant, _ effects: inout [Effect]) {
        let old = project
        let diff = ProjectDiff(from: old, to: newProject)
        // Removed processes stop as they were configured, before the project changes.
        for name in diff.removed {
            let stop = old.process(named: name)?.stop ?? StopSpec()
            for i in instances.indices where instances[i].process == name {
                instances[i].retired = true
                instances[i].stoppedOnRequest = true
                stopForGood(i, using: stop, now: now, &effects)
            }
        }
        // Replica counts as they run now, so `scale` below sees where it starts from.
        var replaced = newProject
        let resized = Set(diff.changed + diff.scaled.map(\.name))
        for p in replaced.processes.indices where resized.contains(replaced.processes[p].name) {
            let name = replaced.processes[p].name
            replaced.processes[p].replicas = instances.filter { $0.process == name && !$0.retired }.count
        }
        project = replaced
        for name in diff.added {
            guard let process = newProject.process(named: name) else { continue }
            for replica in 0..<max(process.replicas, 0) {
                add(process, replica: replica, name: process.instanceName(replica: replica, of: process.replicas))
            }
            if !process.autostart && mode == .up {
                // Added with `autostart: false`: there, stopped, until `orch ctl start`.
                for i in instances.indices where instances[i].process == process.name && instances[i].state == .waiting {
                    instances[i].state = .ended(.stopped)
                }
            }
        }
        for name in diff.changed {
            guard let process = newProject.process(named: name) else { continue }
            let current = instances.indices.filter { instances[$0].process == name && !instances[$0].retired }
            for (replica, i) in current.enumerated() {
                instances[i].spec = process.instance(replica: replica, of: max(current.count, 2), name: instances[i].name)
                if case .running = instances[i].state {
                    stop(i, then: .restart, now: now, &effects)
                }
            }
        }
        for name in diff.changed + diff.scaled.map(\.name) {
            guard let process = newProject.process(named: name),
                  process.replicas != instances.filter({ $0.process == name && !$0.retired }).count else { continue }
            scale(name, to: process.replicas, now: now, &effects)
        }
    }

    /// Drops retired instances that have ended.
    mutating func pruneRetired() {
        instances.removeAll { $0.retired && $0.state.isEnded }
    }
}

/// The instances in start order (config order, scaled replicas appended), keyed by
/// name: lookups by name are constant time and the order is kept without a
/// hand-maintained index.
public struct InstanceTable: RandomAccessCollection, Sendable, Equatable {
    private var records: [InstanceRecord] = []
    private var positions: [String: Int] = [:]

    public init() {}

    public var startIndex: Int { records.startIndex }
    public var endIndex: Int { records.endIndex }

    public subscript(position: Int) -> InstanceRecord {
        get { records[position] }
        // The name is the key: callers never change it.
        set { records[position] = newValue }
    }

    /// The position of the instance named `name`.
    public func position(of name: String) -> Int? { positions[name] }

    public subscript(name: String) -> InstanceRecord? { positions[name].map { records[$0] } }

    /// Adds an instance at the end; a name already present is replaced in place.
    mutating func append(_ record: InstanceRecord) {
        if let i = positions[record.name] {
            records[i] = record
            return
        }
        positions[record.name] = records.count
        records.append(record)
    }

    /// Removes every instance that matches, keeping the order of the rest.
    mutating func removeAll(where shouldRemove: (InstanceRecord) -> Bool) {
        guard records.contains(where: shouldRemove) else { return }
        records.removeAll(where: shouldRemove)
        positions = [:]
        for (i, record) in records.enumerated() { positions[record.name] = i }
    }
}

import Testing
@testable import OrchProtocol

/// OrchProtocol's JSON writer: fields in declaration order, nil left out, strings
/// escaped as JSON requires, and what it writes reads back with JSONReader.
@Suite struct JSONWriterTests {
    static func text<T: Encodable>(_ value: T) -> String {
        String(decoding: Wire.encode(value), as: UTF8.self)
    }

    @Test func logLinesAndEventsReadAsDocumented() {
        #expect(Self.text(OutputRecord(ts: "2026-01-02T03:04:05.678Z", process: "web", line: "say \"hi\"\tnow\\ /path")) ==
            #"{"ts":"2026-01-02T03:04:05.678Z","process":"web","line":"say \"hi\"\tnow\\ /path"}"# + "\n")
        #expect(Self.text(OutputRecord(ts: "t", process: "orch", event: "web started (pid 12)")) ==
            #"{"ts":"t","process":"orch","event":"web started (pid 12)"}"# + "\n")
    }

    @Test(arguments: [
        ("\u{0}\u{1}\u{1F}\u{7F}", #""\u0000\u0001\u001f\u007f""#),
        ("line\r\n", #""line\r\n""#),
        ("é ü 漢 🙂", "\"é ü 漢 🙂\""),
        ("", #""""#),
    ])
    func stringsAreEscaped(text: String, expected: String) {
        #expect(JSONWriter.quote(text) == expected)
        #expect(Self.text([text]) == "[\(expected)]\n")
    }

    @Test func summaryKeepsItsOrderAndLeavesOutWhatIsUnknown() {
        let summary = RunSummary(summary: [
            .init(process: "tests", result: "succeeded", restarts: 0, code: 0, seconds: 1.5),
            .init(process: "db", result: "not started (db failed)", restarts: 2, code: nil, seconds: nil),
        ])
        #expect(Self.text(summary) == #"{"summary":[{"process":"tests","result":"succeeded","restarts":0,"code":0,"seconds":1.5},{"process":"db","result":"not started (db failed)","restarts":2}]}"# + "\n")
    }

    @Test func responsesRoundTrip() throws {
        let status = ProcessStatus(name: "web.1", process: "web", kind: "service", state: "running", pid: 42, uptimeSeconds: 0.25, restarts: 3,
                                   lastExit: "signal TERM", ready: true, port: "5000", cpuSeconds: nil, memoryBytes: 1 << 20)
        let responses = [
            Response(id: 7, result: ResultBody(project: "/srv/app", pid: 9, processes: [status, status], affected: [], reload: ReloadReport(started: ["a"]))),
            Response(id: 8, error: RPCError(code: RPCError.unknownProcess, message: "unknown process 'wrker' (did you mean 'worker'?)")),
            Response(id: nil, method: "log", log: LogLine(process: "web", line: "x\u{0}y")),
            Response(id: nil, method: "event", event: EventNote(ts: "2023-11-14T22:13:20.000Z", event: "web exited with exit code 1", kind: "exited", instance: "web")),
        ]
        for response in responses {
            let bytes = Wire.encode(response)
            #expect(bytes.last == 0x0A)
            #expect(try Wire.decode(Response.self, from: bytes.dropLast()[...]) == response)
        }
        #expect(Self.text(responses[1]) == #"{"jsonrpc":"2.0","id":8,"error":{"code":-32002,"message":"unknown process 'wrker' (did you mean 'worker'?)"}}"# + "\n")
        let request = Request(id: 1, method: .scale, params: Params(names: ["web"], count: 3))
        #expect(Self.text(request) == #"{"jsonrpc":"2.0","id":1,"method":"scale","params":{"names":["web"],"count":3}}"# + "\n")
        #expect(try Wire.decode(Request.self, from: Wire.encode(request).dropLast()[...]) == request)
    }

    @Test func numbersAndEmptyValues() {
        #expect(Self.text([1.0, 0.1, -2.5e-8, Double.infinity]) == "[1.0,0.1,-2.5e-08,null]\n")
        #expect(Self.text([Int64.min]) == "[-9223372036854775808]\n")
        #expect(Self.text([[String]]()) == "[]\n")
        #expect(Self.text(ReloadReport()) == #"{"restarted":[],"started":[],"stopped":[],"unchanged":[]}"# + "\n")
    }
}

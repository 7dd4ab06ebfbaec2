import Testing
@testable import OrchConfig

struct ProcfileTests {
    @Test func parsesEntriesInOrder() throws {
        let cases: [(text: String, expected: [String])] = [
            ("web: bundle exec rails s\nworker: sidekiq\n", ["web=bundle exec rails s@1", "worker=sidekiq@2"]),
            ("# comment\n\nweb: a\n   # indented comment\n\nclock: b", ["web=a@3", "clock=b@6"]),
            ("z: 1\na: 2\nm: 3\n", ["z=1@1", "a=2@2", "m=3@3"]),
            ("web:   spaced out   \r\nw_2-x: ./run --opt=a:b\r\n", ["web=spaced out@1", "w_2-x=./run --opt=a:b@2"]),
            ("web:cmd\n", ["web=cmd@1"]),
        ]
        for (text, expected) in cases {
            let entries = try Procfile.parse(text, file: "Procfile")
            #expect(entries.map { "\($0.name)=\($0.command)@\($0.line)" } == expected, "\(text)")
        }
    }

    @Test func errors() {
        let cases: [(text: String, expected: [String])] = [
            ("web: a\nnot a process line\n", ["Procfile:2:1: invalid line 'not a process line': expected `name: command`"]),
            ("my web: a\n", ["Procfile:1:1: invalid process name 'my web': use letters, digits, '_' and '-'"]),
            ("web:\n", ["Procfile:1:1: process 'web' has no command"]),
            ("web: a\nworker: b\nweb: c\n", ["Procfile:3:1: duplicate process 'web' (first defined at line 1)"]),
            ("# nothing\n\n", ["Procfile: Procfile has no processes: add lines like `web: command`"]),
            ("", ["Procfile: Procfile has no processes: add lines like `web: command`"]),
            ("bad\nweb: a\nweb: b\nw.x: c\n", [
                "Procfile:1:1: invalid line 'bad': expected `name: command`",
                "Procfile:3:1: duplicate process 'web' (first defined at line 2)",
                "Procfile:4:1: invalid process name 'w.x': use letters, digits, '_' and '-'",
            ]),
        ]
        for (text, expected) in cases {
            do throws(any Error) {
                _ = try Procfile.parse(text, file: "Procfile")
                Issue.record("expected an error: \(text)")
            } catch {
                #expect(((error as? ConfigError)?.diagnostics.map(\.description)) == expected, "\(text)")
            }
        }
    }
}

struct DotenvTests {
    @Test func values() {
        let cases: [(text: String, expected: [String])] = [
            ("A=1\nB=two words\n", ["A=1", "B=two words"]),
            ("export A=1\nexport\tB=2", ["A=1", "B=2"]),
            ("A='single $X \\n literal'", ["A=single $X \\n literal"]),
            ("A=\"line\\nnext\\ttab \\\"q\\\" back\\\\slash \\x\"", ["A=line\nnext\ttab \"q\" back\\slash \\x"]),
            ("A=  padded value  \n", ["A=padded value"]),
            ("# comment\n  # indented\n\nA=1 # trailing comment\nB=a#b\nC=#fff\nD= #only comment", ["A=1", "B=a#b", "C=#fff", "D="]),
            ("A=\"quoted # not a comment\" # comment\nB='x' # c", ["A=quoted # not a comment", "B=x"]),
            ("A=1\nA=2\n", ["A=1", "A=2"]),
            ("A=\nB=\"\"\nC=''", ["A=", "B=", "C="]),
            ("KEY = spaced", ["KEY=spaced"]),
            ("A=\"multi\nline\"\nB=2", ["A=multi\nline", "B=2"]),
            ("A=x=y", ["A=x=y"]),
            ("A=1\r\nB=2\r\n", ["A=1", "B=2"]),
        ]
        for (text, expected) in cases {
            let parsed = Dotenv.parse(text, file: ".env")
            #expect(parsed.values.map { "\($0.0)=\($0.1)" } == expected, "\(text)")
            #expect(parsed.warnings == [], "\(text)")
        }
    }

    @Test func invalidLinesAreSkippedWithWarnings() {
        let text = "GOOD=1\n1BAD=2\nFOO-BAR=3\njust words\nA=\"open\nB='x' trailing\nexport =4\n"
        let parsed = Dotenv.parse(text, file: "config/.env")
        #expect(parsed.values.map { "\($0.0)=\($0.1)" } == ["GOOD=1"])
        #expect(parsed.warnings.map(\.description) == [
            "config/.env:2:1: invalid variable name: it starts with a digit (use letters, digits and '_', not starting with a digit); line skipped",
            "config/.env:3:4: invalid variable name: '-' is not allowed in a name (use letters, digits and '_', not starting with a digit); line skipped",
            "config/.env:4:1: expected KEY=value, found no '='; line skipped",
            "config/.env:5:1: unterminated double-quoted value for 'A'; line skipped",
        ])
    }

    @Test func textAfterClosingQuoteWarns() {
        let parsed = Dotenv.parse("B='x' trailing\nexport =4\nC=3", file: ".env")
        #expect(parsed.values.map { "\($0.0)=\($0.1)" } == ["C=3"])
        #expect(parsed.warnings.map(\.description) == [
            ".env:1:7: unexpected text after the closing quote of 'B'; line skipped",
            ".env:2:8: no variable name before '='; line skipped",
        ])
    }
}

struct FormationTests {
    @Test func parses() throws {
        let cases: [(String, [String: Int])] = [
            ("web=2,worker=0,all=1", ["web": 2, "worker": 0, "all": 1]),
            (" web = 3 , clock=1 ", ["web": 3, "clock": 1]),
            ("", [:]),
            ("web=1,web=4", ["web": 4]),
        ]
        for (text, expected) in cases {
            try #expect(Formation.parse(text) == expected, "\(text)")
        }
    }

    @Test func errorsNameTheBadPart() {
        let cases: [(String, [String])] = [
            ("web", ["formation (-m): invalid formation entry 'web': expected name=count, e.g. web=2"]),
            ("web=x", ["formation (-m): invalid count 'x' in formation entry 'web=x': expected a number from 0 to 1000"]),
            ("web=-1", ["formation (-m): invalid count '-1' in formation entry 'web=-1': expected a number from 0 to 1000"]),
            ("w b=1", ["formation (-m): invalid process name 'w b' in formation entry 'w b=1'"]),
            ("web=1,,worker=2", ["formation (-m): empty entry in 'web=1,,worker=2': expected name=count, e.g. web=2,worker=1"]),
            ("a=b,c", [
                "formation (-m): invalid count 'b' in formation entry 'a=b': expected a number from 0 to 1000",
                "formation (-m): invalid formation entry 'c': expected name=count, e.g. web=2",
            ]),
            // One line per mistake, not one per entry that makes it.
            (",,,", ["formation (-m): empty entry in ',,,': expected name=count, e.g. web=2,worker=1"]),
            (" , ", ["formation (-m): empty entry in ' , ': expected name=count, e.g. web=2,worker=1"]),
            ("web=x,,web=x,worker=1,", [
                "formation (-m): invalid count 'x' in formation entry 'web=x': expected a number from 0 to 1000",
                "formation (-m): empty entry in 'web=x,,web=x,worker=1,': expected name=count, e.g. web=2,worker=1",
            ]),
        ]
        for (text, expected) in cases {
            do throws(any Error) {
                _ = try Formation.parse(text)
                Issue.record("expected an error: \(text)")
            } catch {
                #expect(((error as? ConfigError)?.diagnostics.map(\.description)) == expected, "\(text)")
            }
        }
    }
}

struct DurationAndSignalTests {
    @Test func durations() {
        let cases: [(String, Duration?)] = [
            ("250ms", .milliseconds(250)), ("5s", .seconds(5)), ("1m", .seconds(60)), ("1h", .seconds(3600)),
            ("1.5s", .milliseconds(1500)), ("0", .zero), ("0s", .zero), ("1m30s", .seconds(90)), (" 2s ", .seconds(2)),
            ("100us", .microseconds(100)), ("10ns", .nanoseconds(10)), (".5s", .milliseconds(500)),
            ("5", nil), ("", nil), ("abc", nil), ("5 s", nil), ("-1s", nil), ("1.2.3s", nil), ("5d", nil), ("s", nil), ("1.s", .seconds(1)),
        ]
        for (text, expected) in cases {
            #expect(DurationParser.parse(text) == expected, "\(text)")
        }
    }

    @Test func durationFormatRoundTrips() {
        for duration: Duration in [.milliseconds(250), .seconds(90), .milliseconds(1500), .seconds(3600), .zero, .nanoseconds(7)] {
            #expect(DurationParser.parse(DurationParser.format(duration)) == duration)
        }
        #expect(DurationParser.format(.seconds(30)) == "30s")
        #expect(DurationParser.format(.milliseconds(100)) == "100ms")
    }

    @Test func signals() {
        let cases: [(String, Int32?)] = [
            ("TERM", 15), ("SIGTERM", 15), ("term", 15), ("15", 15), ("sigkill", 9), ("HUP", 1), ("INT", 2),
            ("QUIT", 3), ("USR1", 10), ("USR2", 12), ("WINCH", 28), ("CHLD", 17), ("CLD", 17), ("IOT", 6),
            ("STOP", 19), ("CONT", 18), ("RTMIN", 34), ("RTMIN+2", 36), ("RTMAX", 64), ("RTMAX-1", 63),
            ("TERMM", nil), ("0", nil), ("65", nil), ("", nil), ("RTMIN+40", nil), ("-9", nil),
        ]
        for (text, expected) in cases {
            #expect(SignalName.number(text) == expected, "\(text)")
        }
        #expect(SignalName.name(15) == "TERM")
        #expect(SignalName.name(9) == "KILL")
        #expect(SignalName.name(6) == "ABRT")
        #expect(SignalName.name(36) == "RTMIN+2")
        #expect(SignalName.name(99) == "99")
    }

    @Test func interpolation() {
        let env = ["X": "ex", "EMPTY": "", "PORT": "5000", "A_1": "a"]
        let cases: [(String, String)] = [
            ("plain", "plain"), ("$X", "ex"), ("${X}", "ex"), ("a${X}b", "aexb"), ("$X-$PORT", "ex-5000"),
            ("$$", "$"), ("$$X", "$X"), ("cost: $$5", "cost: $5"), ("$UNSET", ""), ("${UNSET}", ""),
            ("${UNSET:-dflt}", "dflt"), ("${EMPTY:-dflt}", "dflt"), ("${X:-dflt}", "ex"), ("$A_1x", ""), ("${A_1}x", "ax"),
            ("$", "$"), ("a $ b", "a $ b"), ("${X", "${X"), ("$1", "$1"), ("héllo $X ✓", "héllo ex ✓"),
        ]
        for (text, expected) in cases {
            #expect(Interpolation.expand(text, env) == expected, "\(text)")
        }
    }

    @Test func suggestions() {
        #expect(Suggestion.nearest(to: "restrat", in: YAMLReader.processKeys) == "restart")
        #expect(Suggestion.nearest(to: "comand", in: YAMLReader.processKeys) == "command")
        #expect(Suggestion.nearest(to: "depends-on", in: YAMLReader.processKeys) == "depends_on")
        #expect(Suggestion.nearest(to: "Replicas", in: YAMLReader.processKeys) == "replicas")
        #expect(Suggestion.nearest(to: "zzzzzz", in: YAMLReader.processKeys) == nil)
    }
}

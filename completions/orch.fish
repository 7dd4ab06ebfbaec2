function __orch_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __orch_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __orch_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __orch_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __orch_parse_tokens -S
    set -l unparsed_tokens (__orch_tokens -pc)
    switch $unparsed_tokens[1]
    case 'orch'
        __orch_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'up'
            __orch_parse_subcommand -r 1 'f/file=' 'e/env=+' 'm/formation=' 'p/base-port=' 'color=' 't/timeout=' 'timestamps' 'no-timestamps' 'log-format=' 'port=' 'listen=' 'no-control' 'watch=+' 'no-watch' 'no-reload' 'version' 'h/help'
        case 'run'
            __orch_parse_subcommand -r 1 'needs=' 'fail-fast' 'timeout-all=' 'junit=' 'f/file=' 'e/env=+' 'm/formation=' 'p/base-port=' 'color=' 't/timeout=' 'timestamps' 'no-timestamps' 'log-format=' 'port=' 'listen=' 'no-control' 'version' 'h/help'
        case 'check'
            __orch_parse_subcommand 0 'f/file=' 'e/env=+' 'm/formation=' 'p/base-port=' 'version' 'h/help'
        case 'ctl'
            __orch_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'ps'
                __orch_parse_subcommand 0 'file=' 'control=' 'token-file=' 'json' 'timeout=' 'version' 'h/help'
            case 'start'
                __orch_parse_subcommand -r 1 'file=' 'control=' 'token-file=' 'json' 'timeout=' 'wait' 'wait-timeout=' 'version' 'h/help'
            case 'stop'
                __orch_parse_subcommand -r 1 'file=' 'control=' 'token-file=' 'json' 'timeout=' 'wait' 'wait-timeout=' 'version' 'h/help'
            case 'restart'
                __orch_parse_subcommand -r 1 'file=' 'control=' 'token-file=' 'json' 'timeout=' 'wait' 'wait-timeout=' 'version' 'h/help'
            case 'signal'
                __orch_parse_subcommand 2 'file=' 'control=' 'token-file=' 'json' 'timeout=' 'version' 'h/help'
            case 'scale'
                __orch_parse_subcommand 1 'file=' 'control=' 'token-file=' 'json' 'timeout=' 'version' 'h/help'
            case 'logs'
                __orch_parse_subcommand -r 1 'n/lines=' 'f/follow' 'color=' 'file=' 'control=' 'token-file=' 'json' 'timeout=' 'version' 'h/help'
            case 'events'
                __orch_parse_subcommand 0 'file=' 'control=' 'token-file=' 'json' 'timeout=' 'version' 'h/help'
            case 'reload'
                __orch_parse_subcommand 0 'file=' 'control=' 'token-file=' 'json' 'timeout=' 'version' 'h/help'
            case 'down'
                __orch_parse_subcommand 0 'file=' 'control=' 'token-file=' 'json' 'timeout=' 'wait' 'wait-timeout=' 'version' 'h/help'
            end
        case 'export'
            __orch_parse_subcommand 2 'a/app=' 'user' 'force' 'f/file=' 'e/env=+' 'm/formation=' 'p/base-port=' 'version' 'h/help'
        case 'ps'
            __orch_parse_subcommand 0 'file=' 'control=' 'token-file=' 'json' 'timeout=' 'version' 'h/help'
        case 'restart'
            __orch_parse_subcommand -r 1 'file=' 'control=' 'token-file=' 'json' 'timeout=' 'wait' 'wait-timeout=' 'version' 'h/help'
        case 'help'
            __orch_parse_subcommand -r 1 'version'
        end
    end
end

function __orch_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __orch_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __orch_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __orch_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__orch_tokens -p)
    if test -z "$(__orch_tokens -t)"
        set -l index (count (__orch_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'orch' -f
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch" -eq 1' -fa 'up' -d 'Start the processes in the foreground.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch" -eq 1' -fa 'run' -d 'Run jobs with what they depend on, or one command, then stop everything.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch" -eq 1' -fa 'check' -d 'Validate the config and print the resolved processes.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch" -eq 1' -fa 'ctl' -d 'Talk to a running orch over its control port.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch" -eq 1' -fa 'export' -d 'Write the project as another supervisor\'s files, e.g. systemd units.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch" -eq 1' -fa 'ps' -d 'Short for `orch ctl ps`.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch" -eq 1' -fa 'restart' -d 'Short for `orch ctl restart`.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch up" -ge 1' -fka '(__orch_custom_completion ---completion up -- positional@0 (count (__orch_tokens -pc)) (__orch_tokens -tC))'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" f file' -l 'file' -s 'f' -d 'Config file (Procfile or orch.yaml).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up"' -s 'e' -l 'env' -d 'Env file to load instead of .env (repeatable).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" formation m' -s 'm' -l 'formation' -d 'Replicas per process, e.g. web=2,worker=1,all=1.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" base-port p' -s 'p' -l 'base-port' -d 'Base PORT (default $PORT, else 5000); the i-th process gets base+100*i.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" color' -l 'color' -d 'Colour the name prefixes: auto (on a terminal, unless NO_COLOR is set), always, never.' -rfka 'auto always never'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" t timeout' -l 'timeout' -s 't' -d 'Time between the stop signal and SIGKILL, e.g. 5s (overrides stop.timeout).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" timestamps' -l 'timestamps' -d 'Start every line with the time it was read, HH:MM:SS.mmm (default for orch run when stdout is not a terminal).'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" no-timestamps' -l 'no-timestamps' -d 'Start every line with the time it was read, HH:MM:SS.mmm (default for orch run when stdout is not a terminal).'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" log-format' -l 'log-format' -d 'text: `name | line`; json: one object per line, {"ts","process","line"} or {"ts","process":"orch","event"}.' -rfka 'text json'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" port' -l 'port' -d 'Control port on 127.0.0.1 (default: ORCH_PORT, control.port, else ephemeral).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" listen' -l 'listen' -d 'Address the control port binds to (default 127.0.0.1); anything else is reachable from other hosts.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" no-control' -l 'no-control' -d 'Do not open a control port (orch ctl cannot reach this orch).'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up"' -l 'watch' -d 'Restart NAME when files under PATHS change, e.g. web=app,lib (repeatable; paths relative to the project).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" no-watch' -l 'no-watch' -d 'Ignore every `watch:` of the config for this run.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" no-reload' -l 'no-reload' -d 'Do not apply a saved orch.yaml, Procfile or env file (as `reload: false` does).'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch up" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch run" -ge 1' -fka '(__orch_custom_completion ---completion run -- positional@0 (count (__orch_tokens -pc)) (__orch_tokens -tC))'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" needs' -l 'needs' -d 'With a command after --: services to start first and wait for, e.g. db,redis.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" fail-fast' -l 'fail-fast' -d 'Stop the run as soon as one target fails (default: independent targets finish).'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" timeout-all' -l 'timeout-all' -d 'Stop the whole run after this long, e.g. 30m (exit 124).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" junit' -l 'junit' -d 'Write a JUnit XML report of every process to this file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" f file' -l 'file' -s 'f' -d 'Config file (Procfile or orch.yaml).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run"' -s 'e' -l 'env' -d 'Env file to load instead of .env (repeatable).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" formation m' -s 'm' -l 'formation' -d 'Replicas per process, e.g. web=2,worker=1,all=1.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" base-port p' -s 'p' -l 'base-port' -d 'Base PORT (default $PORT, else 5000); the i-th process gets base+100*i.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" color' -l 'color' -d 'Colour the name prefixes: auto (on a terminal, unless NO_COLOR is set), always, never.' -rfka 'auto always never'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" t timeout' -l 'timeout' -s 't' -d 'Time between the stop signal and SIGKILL, e.g. 5s (overrides stop.timeout).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" timestamps' -l 'timestamps' -d 'Start every line with the time it was read, HH:MM:SS.mmm (default for orch run when stdout is not a terminal).'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" no-timestamps' -l 'no-timestamps' -d 'Start every line with the time it was read, HH:MM:SS.mmm (default for orch run when stdout is not a terminal).'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" log-format' -l 'log-format' -d 'text: `name | line`; json: one object per line, {"ts","process","line"} or {"ts","process":"orch","event"}.' -rfka 'text json'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" port' -l 'port' -d 'Control port on 127.0.0.1 (default: ORCH_PORT, control.port, else ephemeral).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" listen' -l 'listen' -d 'Address the control port binds to (default 127.0.0.1); anything else is reachable from other hosts.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" no-control' -l 'no-control' -d 'Do not open a control port (orch ctl cannot reach this orch).'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch check" f file' -l 'file' -s 'f' -d 'Config file (Procfile or orch.yaml).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch check"' -s 'e' -l 'env' -d 'Env file to load instead of .env (repeatable).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch check" formation m' -s 'm' -l 'formation' -d 'Replicas per process, e.g. web=2,worker=1,all=1.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch check" base-port p' -s 'p' -l 'base-port' -d 'Base PORT (default $PORT, else 5000); the i-th process gets base+100*i.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch check" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl" -eq 1' -fa 'ps' -d 'Show every process: state, pid, uptime, restarts, last exit, readiness, PORT, CPU, memory.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl" -eq 1' -fa 'start' -d 'Start processes (a name, an instance like web.2, or all).'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl" -eq 1' -fa 'stop' -d 'Stop processes; they stay stopped and do not stop orch.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl" -eq 1' -fa 'restart' -d 'Restart processes; each new instance starts once the old one\'s process group is gone.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl" -eq 1' -fa 'signal' -d 'Send a signal to processes\' groups, e.g. `orch ctl signal web HUP`.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl" -eq 1' -fa 'scale' -d 'Change the number of replicas, e.g. `orch ctl scale web=3`.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl" -eq 1' -fa 'logs' -d 'Print the last lines of processes\' output; -f keeps following.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl" -eq 1' -fa 'events' -d 'Follow orch\'s events (started, exited, restarting...) until interrupted.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl" -eq 1' -fa 'reload' -d 'Re-read the config: restart changed processes, start added ones, stop removed ones.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl" -eq 1' -fa 'down' -d 'Stop every process and orch itself.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl ps" file' -l 'file' -d 'Config file whose project to talk to (default: found from the current directory).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl ps" control' -l 'control' -d 'Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl ps" token-file' -l 'token-file' -d 'File holding the control token (a state file works too).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl ps" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl ps" timeout' -l 'timeout' -d 'How long to wait for orch to connect and answer, e.g. 500ms, 10s.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl ps" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl ps" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl start" -ge 1' -fka '(__orch_custom_completion ---completion ctl start -- positional@0 (count (__orch_tokens -pc)) (__orch_tokens -tC))'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl start" file' -l 'file' -d 'Config file whose project to talk to (default: found from the current directory).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl start" control' -l 'control' -d 'Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl start" token-file' -l 'token-file' -d 'File holding the control token (a state file works too).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl start" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl start" timeout' -l 'timeout' -d 'How long to wait for orch to connect and answer, e.g. 500ms, 10s.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl start" wait' -l 'wait' -d 'Return once it has happened: started/restarted instances running (and ready, with a ready: check), stopped ones gone, orch exited for down.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl start" wait-timeout' -l 'wait-timeout' -d 'How long --wait waits before it gives up with exit 1.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl start" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl start" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl stop" -ge 1' -fka '(__orch_custom_completion ---completion ctl stop -- positional@0 (count (__orch_tokens -pc)) (__orch_tokens -tC))'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl stop" file' -l 'file' -d 'Config file whose project to talk to (default: found from the current directory).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl stop" control' -l 'control' -d 'Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl stop" token-file' -l 'token-file' -d 'File holding the control token (a state file works too).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl stop" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl stop" timeout' -l 'timeout' -d 'How long to wait for orch to connect and answer, e.g. 500ms, 10s.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl stop" wait' -l 'wait' -d 'Return once it has happened: started/restarted instances running (and ready, with a ready: check), stopped ones gone, orch exited for down.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl stop" wait-timeout' -l 'wait-timeout' -d 'How long --wait waits before it gives up with exit 1.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl stop" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl stop" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl restart" -ge 1' -fka '(__orch_custom_completion ---completion ctl restart -- positional@0 (count (__orch_tokens -pc)) (__orch_tokens -tC))'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl restart" file' -l 'file' -d 'Config file whose project to talk to (default: found from the current directory).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl restart" control' -l 'control' -d 'Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl restart" token-file' -l 'token-file' -d 'File holding the control token (a state file works too).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl restart" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl restart" timeout' -l 'timeout' -d 'How long to wait for orch to connect and answer, e.g. 500ms, 10s.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl restart" wait' -l 'wait' -d 'Return once it has happened: started/restarted instances running (and ready, with a ready: check), stopped ones gone, orch exited for down.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl restart" wait-timeout' -l 'wait-timeout' -d 'How long --wait waits before it gives up with exit 1.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl restart" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl restart" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl signal" -eq 1' -fka '(__orch_custom_completion ---completion ctl signal -- positional@0 (count (__orch_tokens -pc)) (__orch_tokens -tC))'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl signal" -eq 2' -fka 'HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS RTMIN RTMAX'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl signal" file' -l 'file' -d 'Config file whose project to talk to (default: found from the current directory).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl signal" control' -l 'control' -d 'Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl signal" token-file' -l 'token-file' -d 'File holding the control token (a state file works too).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl signal" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl signal" timeout' -l 'timeout' -d 'How long to wait for orch to connect and answer, e.g. 500ms, 10s.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl signal" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl signal" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl scale" file' -l 'file' -d 'Config file whose project to talk to (default: found from the current directory).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl scale" control' -l 'control' -d 'Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl scale" token-file' -l 'token-file' -d 'File holding the control token (a state file works too).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl scale" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl scale" timeout' -l 'timeout' -d 'How long to wait for orch to connect and answer, e.g. 500ms, 10s.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl scale" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl scale" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch ctl logs" -ge 1' -fka '(__orch_custom_completion ---completion ctl logs -- positional@0 (count (__orch_tokens -pc)) (__orch_tokens -tC))'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl logs" lines n' -s 'n' -l 'lines' -d 'Lines per instance.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl logs" f follow' -l 'follow' -s 'f' -d 'Keep printing new lines until interrupted.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl logs" color' -l 'color' -d 'Colour the name prefixes as orch up does: auto (on a terminal, unless NO_COLOR is set), always, never.' -rfka 'auto always never'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl logs" file' -l 'file' -d 'Config file whose project to talk to (default: found from the current directory).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl logs" control' -l 'control' -d 'Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl logs" token-file' -l 'token-file' -d 'File holding the control token (a state file works too).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl logs" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl logs" timeout' -l 'timeout' -d 'How long to wait for orch to connect and answer, e.g. 500ms, 10s.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl logs" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl logs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl events" file' -l 'file' -d 'Config file whose project to talk to (default: found from the current directory).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl events" control' -l 'control' -d 'Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl events" token-file' -l 'token-file' -d 'File holding the control token (a state file works too).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl events" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl events" timeout' -l 'timeout' -d 'How long to wait for orch to connect and answer, e.g. 500ms, 10s.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl events" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl events" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl reload" file' -l 'file' -d 'Config file whose project to talk to (default: found from the current directory).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl reload" control' -l 'control' -d 'Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl reload" token-file' -l 'token-file' -d 'File holding the control token (a state file works too).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl reload" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl reload" timeout' -l 'timeout' -d 'How long to wait for orch to connect and answer, e.g. 500ms, 10s.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl reload" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl reload" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl down" file' -l 'file' -d 'Config file whose project to talk to (default: found from the current directory).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl down" control' -l 'control' -d 'Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl down" token-file' -l 'token-file' -d 'File holding the control token (a state file works too).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl down" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl down" timeout' -l 'timeout' -d 'How long to wait for orch to connect and answer, e.g. 500ms, 10s.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl down" wait' -l 'wait' -d 'Return once it has happened: started/restarted instances running (and ready, with a ready: check), stopped ones gone, orch exited for down.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl down" wait-timeout' -l 'wait-timeout' -d 'How long --wait waits before it gives up with exit 1.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl down" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ctl down" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch export" -eq 1' -fka 'systemd'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch export" -eq 2' -fa '(__orch_complete_directories)'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch export" a app' -s 'a' -l 'app' -d 'Name of the app: the prefix of every unit (default: the project directory\'s name).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch export" user' -l 'user' -d 'Units for the user\'s service manager (systemctl --user): the target is wanted by default.target, not multi-user.target.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch export" force' -l 'force' -d 'Overwrite files that orch did not write.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch export" f file' -l 'file' -s 'f' -d 'Config file (Procfile or orch.yaml).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch export"' -s 'e' -l 'env' -d 'Env file to load instead of .env (repeatable).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch export" formation m' -s 'm' -l 'formation' -d 'Replicas per process, e.g. web=2,worker=1,all=1.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch export" base-port p' -s 'p' -l 'base-port' -d 'Base PORT (default $PORT, else 5000); the i-th process gets base+100*i.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch export" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ps" file' -l 'file' -d 'Config file whose project to talk to (default: found from the current directory).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ps" control' -l 'control' -d 'Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ps" token-file' -l 'token-file' -d 'File holding the control token (a state file works too).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ps" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ps" timeout' -l 'timeout' -d 'How long to wait for orch to connect and answer, e.g. 500ms, 10s.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ps" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch ps" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_positional "orch restart" -ge 1' -fka '(__orch_custom_completion ---completion restart -- positional@0 (count (__orch_tokens -pc)) (__orch_tokens -tC))'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch restart" file' -l 'file' -d 'Config file whose project to talk to (default: found from the current directory).' -rF
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch restart" control' -l 'control' -d 'Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch restart" token-file' -l 'token-file' -d 'File holding the control token (a state file works too).' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch restart" json' -l 'json' -d 'Print JSON instead of a table.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch restart" timeout' -l 'timeout' -d 'How long to wait for orch to connect and answer, e.g. 500ms, 10s.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch restart" wait' -l 'wait' -d 'Return once it has happened: started/restarted instances running (and ready, with a ready: check), stopped ones gone, orch exited for down.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch restart" wait-timeout' -l 'wait-timeout' -d 'How long --wait waits before it gives up with exit 1.' -rfka ''
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch restart" version' -l 'version' -d 'Show the version.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch restart" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'orch' -n '__orch_should_offer_completions_for_flags_or_options "orch help" version' -l 'version' -d 'Show the version.'

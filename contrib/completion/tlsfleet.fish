# fish completion for tlsfleet(1); installed into vendor_completions.d by `make install`.

function __tlsfleet_themes
    set -l names default dark light high-contrast monochrome
    set -l cfg $XDG_CONFIG_HOME
    test -n "$cfg"; or set cfg $HOME/.config
    for d in $cfg/tlsfleet/themes $TLSFLEET_THEMES_DIR
        test -n "$d" -a -d "$d"; or continue
        for f in $d/*.theme
            set -a names (basename $f .theme)
        end
    end
    printf '%s\n' $names
end

complete -c tlsfleet -f
complete -c tlsfleet -s c -l config -r -F -d 'configuration file'
complete -c tlsfleet -l theme -x -a '(__tlsfleet_themes)' -d 'colour theme of the dashboard'
complete -c tlsfleet -l no-color -d 'attributes only, no colours'
complete -c tlsfleet -l list -d 'refresh every instance once and print the states'
complete -c tlsfleet -l format -x -a 'table json csv prometheus' -d 'output format of --list'
complete -c tlsfleet -l check -d 'monitoring-plugin check'
complete -c tlsfleet -l warn-days -x -d 'WARNING when a CA expires within N days'
complete -c tlsfleet -l crit-days -x -d 'CRITICAL when a CA expires within N days'
complete -c tlsfleet -l require-tls -d 'TLS off is CRITICAL'
complete -c tlsfleet -l download -d 'save the CA certificate of the named instances'
complete -c tlsfleet -l all -d 'with --download: every instance with TLS on'
complete -c tlsfleet -l only -x -d 'select instances whose name matches GLOB'
complete -c tlsfleet -l account -x -d 'select the instances of an account'
complete -c tlsfleet -l deadline -x -d 'end a headless run after SECONDS'
complete -c tlsfleet -l max-age -x -d 'answer from the snapshot for instances refreshed within SECONDS'
complete -c tlsfleet -l serve -x -d 'run the Prometheus exporter on ADDR:PORT'
complete -c tlsfleet -l discover -d 'print the instances the list APIs find as a config snippet'
complete -c tlsfleet -l refresh -x -d 'refresh every SECONDS (0 = on request)'
complete -c tlsfleet -l check-config -d 'validate the configuration only, no network'
complete -c tlsfleet -l output-dir -x -a '(__fish_complete_directories)' -d 'where --download saves'
complete -c tlsfleet -s v -l debug -d 'a line per API request on stderr'
complete -c tlsfleet -s h -l help -d 'show the help'
complete -c tlsfleet -s V -l version -d 'show the version'

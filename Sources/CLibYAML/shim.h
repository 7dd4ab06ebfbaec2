// libyaml (https://pyyaml.org/wiki/LibYAML), found through pkg-config's yaml-0.1.
// Only OrchSystem's YAMLEvents uses it: the rest of orch sees Swift values.
#if __has_include(<yaml.h>)
#include <yaml.h>
#else
#error "libyaml's header is missing: apt-get install libyaml-dev (Debian, Ubuntu), dnf install libyaml-devel (Fedora) or brew install libyaml"
#endif

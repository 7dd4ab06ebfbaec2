// libyaml (https://pyyaml.org/wiki/LibYAML), found through pkg-config's yaml-0.1.
// Only OrchSystem's YAMLEvents uses it: the rest of orch sees Swift values.
#include <yaml.h>

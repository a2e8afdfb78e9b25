package config

import "strings"

// Strings declares a repeatable string flag: each use adds a value. Its
// variable holds the values separated by commas, and counts only when the
// flag is not given at all.
func (f *Flags) Strings(p *[]string, name, usage string) {
	*p = nil
	if v, ok := f.lookup(f.EnvName(name)); ok {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				*p = append(*p, s)
			}
		}
	}
	fromEnv := *p != nil
	f.Set.Func(name, f.usage(name, usage+"; repeatable, or comma-separated in the variable"), func(v string) error {
		if fromEnv {
			*p, fromEnv = nil, false // the flag replaces the variable
		}
		*p = append(*p, v)
		return nil
	})
}

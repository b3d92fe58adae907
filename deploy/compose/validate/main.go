// compose-config loads Compose files the way `docker compose config` does, without a Docker
// engine: compose-go (the library Docker Compose itself uses) validates them against the
// Compose Specification schema, interpolates variables, merges, normalises and checks
// references (depends_on, networks, volumes). It prints the resolved model as YAML, or the
// errors and exits 1.
//
//	compose-config docker-compose.yml [more.yml ...]
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-config FILE [FILE ...]")
		os.Exit(2)
	}
	files := os.Args[1:]
	opts, err := cli.NewProjectOptions(
		files,
		cli.WithWorkingDirectory(filepath.Dir(files[0])),
		cli.WithOsEnv,
		cli.WithDotEnv,
		cli.WithName("samling"),
	)
	if err != nil {
		fail(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalYAML()
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "compose-config:", err)
	os.Exit(1)
}

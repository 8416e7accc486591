// Command splai-sbom-scanner is a BuildKit SBOM generator built on the syft library, as Docker's
// buildkit-syft-scanner is (that module is not served by the Go module proxy this machine reaches).
//
// BuildKit runs a generator image with the root filesystem to scan mounted read-only and passes
// the paths in the environment (moby/buildkit frontend/attestations/sbom):
//
//	BUILDKIT_SCAN_SOURCE         the image's root filesystem
//	BUILDKIT_SCAN_SOURCE_EXTRAS  optional directory of extra sources (one sub-directory each)
//	BUILDKIT_SCAN_DESTINATION    where to write one in-toto statement (JSON) per SBOM
//
// Each statement carries an SPDX 2.3 JSON document as predicate; BuildKit fills in the subjects
// and attaches the statements to the image as an attestation manifest.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/format/spdxjson"
	// syft's RPM cataloger needs a registered sqlite driver, as its own command provides.
	_ "modernc.org/sqlite"
)

// version is the syft release this scanner is built with (set by build.sh).
var version = "dev"

type statement struct {
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Subject       []any           `json:"subject"`
	Predicate     json.RawMessage `json:"predicate"`
}

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "--version" || os.Args[1] == "version") {
		fmt.Printf("splai-sbom-scanner (syft %s)\n", version)
		return
	}
	src := os.Getenv("BUILDKIT_SCAN_SOURCE")
	dst := os.Getenv("BUILDKIT_SCAN_DESTINATION")
	if src == "" || dst == "" {
		fail(fmt.Errorf("BUILDKIT_SCAN_SOURCE and BUILDKIT_SCAN_DESTINATION must be set; this program runs as a BuildKit SBOM generator (attest:sbom=generator=<image>)"))
	}
	ctx := context.Background()
	if err := scan(ctx, src, filepath.Join(dst, "sbom.spdx.json")); err != nil {
		fail(err)
	}
	if extras := os.Getenv("BUILDKIT_SCAN_SOURCE_EXTRAS"); extras != "" {
		entries, err := os.ReadDir(extras)
		if err != nil {
			fail(err)
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			if e.IsDir() {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			if err := scan(ctx, filepath.Join(extras, n), filepath.Join(dst, n+".spdx.json")); err != nil {
				fail(err)
			}
		}
	}
}

// scan catalogues dir with syft's defaults for a directory and writes the in-toto statement to out.
func scan(ctx context.Context, dir, out string) error {
	src, err := syft.GetSource(ctx, dir, syft.DefaultGetSourceConfig().WithSources("dir"))
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer src.Close()
	sbom, err := syft.CreateSBOM(ctx, src, syft.DefaultCreateSBOMConfig())
	if err != nil {
		return fmt.Errorf("catalogue %s: %w", dir, err)
	}
	enc, err := spdxjson.NewFormatEncoderWithConfig(spdxjson.DefaultEncoderConfig())
	if err != nil {
		return err
	}
	var doc bytes.Buffer
	if err := enc.Encode(&doc, *sbom); err != nil {
		return fmt.Errorf("encode SPDX: %w", err)
	}
	b, err := json.Marshal(statement{
		Type:          "https://in-toto.io/Statement/v0.1",
		PredicateType: "https://spdx.dev/Document",
		Subject:       []any{},
		Predicate:     doc.Bytes(),
	})
	if err != nil {
		return err
	}
	fmt.Printf("sbom: %d packages in %s -> %s\n", sbom.Artifacts.Packages.PackageCount(), dir, out)
	return os.WriteFile(out, b, 0o644)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "splai-sbom-scanner:", err)
	os.Exit(1)
}

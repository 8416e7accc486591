// Package java is a local stand-in for github.com/pulumi/pulumi-java/pkg/codegen/java.
//
// The Go module proxy reachable here refuses github.com/pulumi/pulumi-java@v1.29.0
// (403), which pulumi-docker-build v0.0.22 imports only for the PackageInfo type in
// its schema's "language.java" section. This type carries the same JSON field names
// so the provider's GetSchema output keeps the same shape; no code generation is done.
package java

// PackageInfo holds the Java-specific settings of a Pulumi package schema.
type PackageInfo struct {
	Packages                        map[string]string `json:"packages,omitempty"`
	BasePackage                     string            `json:"basePackage"`
	BuildFiles                      string            `json:"buildFiles"`
	Repositories                    []string          `json:"repositories,omitempty"`
	Dependencies                    map[string]string `json:"dependencies,omitempty"`
	GradleNexusPublishPluginVersion string            `json:"gradleNexusPublishPluginVersion"`
	GradleTest                      string            `json:"gradleTest"`
}

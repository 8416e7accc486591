// Package dotnet is a local stand-in for
// github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3/codegen.
//
// The Go module proxy reachable here refuses the module zip of
// pulumi-language-dotnet/v3@v3.107.0 (403), which pulumi-docker-build v0.0.22 imports
// only for the CSharpPackageInfo type in its schema's "language.csharp" section.
// This type carries the same JSON field names; no code generation is done.
package dotnet

// CSharpPackageInfo holds the C#-specific settings of a Pulumi package schema.
type CSharpPackageInfo struct {
	PackageReferences            map[string]string `json:"packageReferences,omitempty"`
	Namespaces                   map[string]string `json:"namespaces,omitempty"`
	Compatibility                string            `json:"compatibility,omitempty"`
	DictionaryConstructors       bool              `json:"dictionaryConstructors,omitempty"`
	ProjectReferences            []string          `json:"projectReferences,omitempty"`
	LiftSingleValueMethodReturns bool              `json:"liftSingleValueMethodReturns,omitempty"`
	RootNamespace                string            `json:"rootNamespace,omitempty"`
	RespectSchemaVersion         bool              `json:"respectSchemaVersion,omitempty"`
}

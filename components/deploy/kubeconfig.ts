// How a kubeconfig travels into resource inputs: a document carries credentials and goes as a secret, a path need not.
import * as pulumi from "@pulumi/pulumi";

/** A kubeconfig document (not a path) as a secret; a path, or an Output the caller already decided on, as it is. */
export function secretIfDocument(kubeconfig: pulumi.Input<string> | undefined): pulumi.Input<string> | undefined {
  return typeof kubeconfig === "string" && kubeconfig.includes("apiVersion") ? pulumi.secret(kubeconfig) : kubeconfig;
}

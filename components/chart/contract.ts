// The contract of ChartPublish and its step: what the chart push reads, what it prints, and the name of its resource.
import { flag, secret, stepContract, text } from "../../shared/step/contract";

export interface PublishedChart {
  /** `oci://<registry>/<owner>/charts/<name>` */
  readonly ref: string;
  readonly name: string;
  readonly version: string;
  readonly digest: string;
  readonly alias: string;
}

/** Lints, packages and pushes the chart, then moves its alias; refuses to overwrite a released version. */
export const PUBLISH_CHART = stepContract<PublishedChart>()("publish-chart", {
  CHART_PATH: text,
  CHART_VERSION: text,
  APP_VERSION: text,
  REGISTRY: text,
  /** `<owner>/charts`. */
  CHART_REPOSITORY: text,
  CHART_ALIAS: text,
  IMMUTABLE: flag,
  REGISTRY_USERNAME: text,
  REGISTRY_PASSWORD: secret,
});

/** Child resource names under a ChartPublish named `name`. */
export const chartChildren = (name: string) => ({ push: `${name}-push` });

/** Type tokens of the components (stable: they are part of every URN). */
export const CHART_PUBLISH_TYPE = "splai:release:ChartPublish";

/** One environment setting: its name, default (undefined = required or unset) and meaning. */
export interface Setting {
  name: string;
  /** Default as the operator would write it; undefined when there is none. */
  default: string | undefined;
  description: string;
}

/**
 * Reads the event stream of an image build (legacy builder): output text
 * split into lines, the image id, the last layer built, and the error, which
 * arrives as an event and never as a failed request.
 */
export interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

export interface BuildProgress {
  onEvent: (event: BuildEvent) => void;
  /** Flushes the last partial line and says how the build ended. */
  finish(): { error: string | undefined; imageId: string | undefined; lastLayerId: string | undefined };
}

export function createBuildProgress(onLine: (line: string) => void): BuildProgress {
  let error: string | undefined;
  let imageId: string | undefined;
  let lastLayerId: string | undefined;
  let pending = "";
  const emit = (text: string): void => {
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      // " ---> 1b7bbb6197b7": the image a build step produced.
      const layer = /^ ---> ([0-9a-f]{12,})$/.exec(line);
      if (layer) lastLayerId = layer[1];
      onLine(line);
    }
  };
  return {
    onEvent(event) {
      if (typeof event.stream === "string") emit(event.stream);
      if (event.aux?.ID) imageId = event.aux.ID;
      if (event.error !== undefined) {
        error = event.errorDetail?.message ?? event.error;
        emit(`${error}\n`);
      }
    },
    finish() {
      if (pending) onLine(pending);
      pending = "";
      return { error, imageId, lastLayerId };
    },
  };
}

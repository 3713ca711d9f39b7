// Splits a byte stream into text lines for log callbacks without ever holding more than one
// (capped) line: a process that prints 200 MB, or one endless line, costs O(maxLine) memory.
export interface LineSplitter {
  push(chunk: Uint8Array): void;
  end(): void;
}

export const DEFAULT_MAX_LINE = 64 * 1024;

export function createLineSplitter(onLine: (line: string) => void, maxLine = DEFAULT_MAX_LINE): LineSplitter {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let pending = "";

  function emit(line: string) {
    onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }

  function drain() {
    let nl: number;
    while ((nl = pending.indexOf("\n")) !== -1) {
      let line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      // A line longer than the cap is cut into pieces, each logged as its own line.
      while (line.length > maxLine) {
        emit(line.slice(0, maxLine));
        line = line.slice(maxLine);
      }
      emit(line);
    }
    while (pending.length > maxLine) {
      emit(pending.slice(0, maxLine));
      pending = pending.slice(maxLine);
    }
  }

  return {
    push(chunk) {
      pending += decoder.decode(chunk, { stream: true });
      drain();
    },
    end() {
      pending += decoder.decode();
      drain();
      if (pending.length > 0) emit(pending);
      pending = "";
    },
  };
}

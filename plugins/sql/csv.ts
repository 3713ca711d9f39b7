// A streaming RFC 4180 CSV parser: quoted fields, "" escapes, newlines inside quotes, CRLF.
// Fed text in chunks; holds only the current row.
export interface CsvParser {
  push(text: string): void;
  end(): void;
}

export function createCsvParser(onRow: (fields: string[]) => void, separator = ","): CsvParser {
  let field = "";
  let row: string[] = [];
  let quoted = false;
  let afterQuote = false; // just saw a quote inside a quoted field: "" or the closing quote
  let any = false;

  const endField = () => {
    row.push(field);
    field = "";
  };
  const endRow = () => {
    endField();
    // A blank line is no row (a trailing newline at the end of a file, say).
    if (!(row.length === 1 && row[0] === "")) onRow(row);
    row = [];
  };

  return {
    push(text) {
      for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        any = true;
        if (quoted) {
          if (afterQuote) {
            afterQuote = false;
            if (c === '"') {
              field += '"';
              continue;
            }
            quoted = false; // that quote closed the field; handle c below
          } else if (c === '"') {
            afterQuote = true;
            continue;
          } else {
            field += c;
            continue;
          }
        }
        if (c === '"' && field === "") quoted = true;
        else if (c === separator) endField();
        else if (c === "\n") endRow();
        else if (c === "\r") continue;
        else field += c;
      }
    },
    end() {
      if (afterQuote) quoted = false;
      if (quoted) throw new Error("CSV ends inside a quoted field");
      if (any && (field !== "" || row.length > 0)) endRow();
    },
  };
}

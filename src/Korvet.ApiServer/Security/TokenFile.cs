using System.Text;

namespace Korvet.ApiServer.Security;

/// <summary>
/// Parser for upstream's <c>--token-auth-file</c>: CSV records <c>token,user,uid[,"group1,group2"]</c>, extra
/// columns ignored, empty tokens skipped, a later duplicate token wins. CSV quoting follows Go's
/// <c>encoding/csv</c> (quoted fields, <c>""</c> escapes, blank lines skipped).
/// </summary>
public static class TokenFile
{
    /// <summary>Parses the file's text; <paramref name="path"/> is only used in messages.</summary>
    /// <exception cref="InvalidDataException">malformed CSV or a record with fewer than 3 columns.</exception>
    public static IReadOnlyList<(string Token, UserInfo User)> Parse(string text, string path)
    {
        var entries = new List<(string, UserInfo)>();
        foreach (List<string> record in ReadRecords(text))
        {
            if (record.Count < 3)
            {
                throw new InvalidDataException(
                    $"token file '{path}' must have at least 3 columns (token, user name, user uid), found {record.Count}");
            }

            if (record[0].Length == 0)
            {
                continue;
            }

            IEnumerable<string> groups = record.Count >= 4 ? record[3].Split(',') : [];
            entries.Add((record[0], UserInfo.Create(record[1], record[2], groups)));
        }

        return entries;
    }

    private static IEnumerable<List<string>> ReadRecords(string text)
    {
        int i = 0;
        int line = 1;
        while (i < text.Length)
        {
            if (text[i] == '\n' || (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n'))
            {
                i += text[i] == '\r' ? 2 : 1;
                line++;
                continue;
            }

            var record = new List<string>();
            var field = new StringBuilder();
            while (true)
            {
                if (i < text.Length && text[i] == '"')
                {
                    i++;
                    while (true)
                    {
                        if (i >= text.Length)
                        {
                            throw new InvalidDataException($"parse error on line {line}: extraneous or missing \" in quoted-field");
                        }

                        char c = text[i++];
                        if (c == '"')
                        {
                            if (i < text.Length && text[i] == '"')
                            {
                                field.Append('"');
                                i++;
                                continue;
                            }

                            break;
                        }

                        if (c == '\n')
                        {
                            line++;
                        }

                        field.Append(c);
                    }

                    if (i < text.Length && text[i] is not (',' or '\n' or '\r'))
                    {
                        throw new InvalidDataException($"parse error on line {line}: extraneous or missing \" in quoted-field");
                    }
                }
                else
                {
                    while (i < text.Length && text[i] is not (',' or '\n') && !(text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n'))
                    {
                        if (text[i] == '"')
                        {
                            throw new InvalidDataException($"parse error on line {line}: bare \" in non-quoted-field");
                        }

                        field.Append(text[i++]);
                    }
                }

                record.Add(field.ToString());
                field.Clear();
                if (i < text.Length && text[i] == ',')
                {
                    i++;
                    continue;
                }

                break;
            }

            yield return record;
        }
    }
}

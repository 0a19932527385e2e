// Reads conformance vector files line by line: plain `.jsonl` or
// gzip-compressed `.jsonl.gz` (detected from the content, not the name).
// Lines may be several megabytes long.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace ampd::conformance {

// The file cannot be opened, or is corrupt or truncated.
class ReadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class LineReader {
public:
    // Throws ReadError if the file cannot be opened.
    explicit LineReader(const std::string& path);
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;
    LineReader(LineReader&&) = delete;
    LineReader& operator=(LineReader&&) = delete;

    // Reads the next line into `line` without its "\n" (or "\r\n"); false at
    // the end of the file. A last line without a newline is still a line.
    // Throws ReadError on a read or decompression error.
    bool next(std::string& line);

    // 1-based number of the line last returned by next().
    [[nodiscard]] size_t line_number() const { return line_number_; }
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    bool fill();  // reads more input into buf_; false at end of file

    std::string path_;
    void* file_ = nullptr;  // gzFile
    std::vector<char> buf_;
    size_t pos_ = 0;  // start of unread data in buf_
    size_t end_ = 0;  // end of valid data in buf_
    bool eof_ = false;
    size_t line_number_ = 0;
};

// Every line of a file, in order (for tests and small files).
[[nodiscard]] std::vector<std::string> read_lines(const std::string& path);

}  // namespace ampd::conformance

"""Tools for instructors: exams, exports to learning-management systems, coverage reports."""

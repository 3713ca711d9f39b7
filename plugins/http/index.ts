// HTTP tasks: Request and Download.
import type { TaskDefinition } from "../define.ts";
import download from "./download.ts";
import request from "./request.ts";

export const httpTasks: TaskDefinition[] = [request, download];

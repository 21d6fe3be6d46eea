import tomllib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from directives.services import NoticeDataError, notice_load

NOTICE_FILE = Path(__file__).resolve().parents[2] / "data" / "qd-sasac-2020-06-09.toml"


class Command(BaseCommand):
    help = "载入 2020-06-09 通知的条款树(可重复运行;更正后的数据文件就地更新条款,不丢任务分解)。"

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=NOTICE_FILE, help="数据文件(TOML),默认为仓库中的通知数据")

    def handle(self, *args, file: Path, **options):
        try:
            with file.open("rb") as handle:
                data = tomllib.load(handle)
        except OSError as error:
            raise CommandError(f"无法读取数据文件 {file}:{error}") from error
        except tomllib.TOMLDecodeError as error:
            raise CommandError(f"数据文件 {file} 不是有效的 TOML:{error}") from error
        try:
            result = notice_load(data=data)
        except NoticeDataError as error:
            raise CommandError(f"数据文件 {file} 有误,未作任何更改。{error}") from error

        notice_state = "新建" if result.notice_created else "已更新" if result.notice_updated else "未变"
        self.stdout.write(
            f"通知 {data['notice']['code']}:{notice_state}。\n"
            f"条款:新建 {result.directives_created},更新 {result.directives_updated},"
            f"未变 {result.directives_unchanged},停用 {result.directives_retired}。\n"
            f"指标:新建 {result.indicators_created},更新 {result.indicators_updated},"
            f"未变 {result.indicators_unchanged},删除 {result.indicators_deleted}"
            + (f",因已有台账数值而保留 {result.indicators_kept}" if result.indicators_kept else "")
            + "。\n"
            f"点名企业:新建 {result.enterprises_created}。"
        )
        self.stdout.write(self.style.SUCCESS("已完成。") if result.changed else "数据已是最新,无需更改。")
